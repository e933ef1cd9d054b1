module github.com/streamspace/streamspace-pagerduty/benchmarks

go 1.24

require (
	github.com/PagerDuty/go-pagerduty v1.8.0
	github.com/streamspace/streamspace-pagerduty v0.0.0-00010101000000-000000000000
	github.com/stretchr/testify v1.11.1
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/google/go-querystring v1.1.0 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

replace github.com/streamspace/streamspace-pagerduty => ../
