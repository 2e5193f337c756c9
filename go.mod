module github.com/ringlens/ringlens

go 1.26
