module example.com/hostcompat/plugin

go 1.24

require golang.org/x/time v0.9.0
