module gatehouse.dev/bench/go-paced-client

go 1.19
