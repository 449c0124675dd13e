module httppanic

go 1.21
