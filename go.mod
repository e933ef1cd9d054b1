module github.com/streamspace/streamspace-pagerduty

go 1.24

require (
	github.com/google/uuid v1.6.0 // indirect
	github.com/stretchr/testify v1.11.1 // indirect
	golang.org/x/time v0.9.0 // indirect
)
