module recovered

go 1.21
