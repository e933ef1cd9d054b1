module example.com/otherrate

go 1.24

require golang.org/x/time v0.10.0
