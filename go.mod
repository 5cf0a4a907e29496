module github.com/herald-status/herald

go 1.26
