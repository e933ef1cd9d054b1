module example.com/apihost

go 1.24

require (
	github.com/google/uuid v1.6.0
	golang.org/x/time v0.10.0
)
