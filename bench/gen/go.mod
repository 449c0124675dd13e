module example.com/gtriagebench

go 1.21
