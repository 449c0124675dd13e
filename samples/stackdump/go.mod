module stackdump

go 1.21
