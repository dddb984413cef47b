module dify-ts.local/bench/sdk-compare/driver

go 1.22
