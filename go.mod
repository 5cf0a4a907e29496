module github.com/herald-status/herald

go 1.26.0

require (
	github.com/gorilla/feeds v1.2.0
	github.com/rogpeppe/go-internal v1.16.0
	github.com/yuin/goldmark v1.8.7
	go.yaml.in/yaml/v3 v3.0.6
	golang.org/x/sys v0.50.0
)

require golang.org/x/tools v0.26.0 // indirect
