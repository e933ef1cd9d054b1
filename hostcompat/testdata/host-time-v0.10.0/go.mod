module example.com/hostcompat/host

go 1.24

require golang.org/x/time v0.10.0
