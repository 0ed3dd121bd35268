module startorder/runtime

go 1.26
