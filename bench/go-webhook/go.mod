module gatehouse.dev/bench/go-webhook

go 1.19
