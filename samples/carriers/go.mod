module example.com/carriers

go 1.21
