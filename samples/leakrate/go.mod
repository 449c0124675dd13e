module example.com/leakrate

go 1.19
