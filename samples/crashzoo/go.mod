module example.com/crashzoo

go 1.19
