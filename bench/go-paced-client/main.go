// A paced load generator for the webhook bench's fixed-rate latency: it calls a webhook the way
// kube-apiserver does — Go's net/http client, HTTPS keep-alive over HTTP/1.1, TCP_NODELAY (Go's
// default) — at a steady rate, open loop: request i is sent at start + i/rate whether or not the
// earlier ones have been answered, so a server that falls behind is charged for the wait for a
// free connection (no coordinated omission). Latency counts from the send, not from the due time:
// Go 1.19's timers wake up to 1 ms late (its poller sleeps in whole milliseconds), and that
// lateness is the client's, not the server's; the schedule itself does not drift (due times are
// fixed, a late send is followed by the next one on time).
//
// autocannon, which the bench uses for saturated load, paces differently: each connection sends its
// whole per-second budget back to back when its one-second interval restarts, then idles. Its
// "500 req/s" is a burst at full speed every second, and the bare fastify route measured a p99 of
// 15–60 ms that way on an otherwise idle loopback (docs/benchmarks.md).
//
// Usage: go-paced-client URL RATE SECONDS CONNECTIONS BODIES_FILE
// BODIES_FILE is a JSON array of request bodies, sent in turn. Prints one JSON object: requests
// due, answered (2xx or not), failed (no answer), non-2xx, and p50/p99/max latency in ms.
package main

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type result struct {
	Due      int     `json:"due"`
	Answered int     `json:"answered"`
	Failed   int64   `json:"failed"`
	Non2xx   int64   `json:"non2xx"`
	P50Ms    float64 `json:"p50Ms"`
	P99Ms    float64 `json:"p99Ms"`
	MaxMs    float64 `json:"maxMs"`
}

func argInt(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		log.Fatalf("not a positive integer: %q", s)
	}
	return n
}

// quantile of sorted latencies: the smallest value at or above that share of them (nearest rank).
func quantile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*q+0.999999) - 1
	if i < 0 {
		i = 0
	}
	return float64(sorted[i]) / float64(time.Millisecond)
}

func main() {
	if len(os.Args) != 6 {
		log.Fatal("usage: go-paced-client URL RATE SECONDS CONNECTIONS BODIES_FILE")
	}
	url := os.Args[1]
	rate, seconds, connections := argInt(os.Args[2]), argInt(os.Args[3]), argInt(os.Args[4])
	raw, err := os.ReadFile(os.Args[5])
	if err != nil {
		log.Fatal(err)
	}
	var bodies []string
	if err := json.Unmarshal(raw, &bodies); err != nil || len(bodies) == 0 {
		log.Fatalf("%s: not a JSON array of bodies: %v", os.Args[5], err)
	}
	transport := &http.Transport{
		// The bench's servers use self-signed certificates on loopback.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
		// HTTP/1.1, as the saturated runs: an empty map turns off Go's HTTP/2 upgrade.
		TLSNextProto:        map[string]func(string, *tls.Conn) http.RoundTripper{},
		MaxConnsPerHost:     connections,
		MaxIdleConnsPerHost: connections,
		IdleConnTimeout:     90 * time.Second,
	}
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}

	due := rate * seconds
	interval := time.Second / time.Duration(rate)
	latencies := make([]time.Duration, 0, due)
	var mu sync.Mutex
	var failed, non2xx int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < due; i++ {
		at := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(at))
		wg.Add(1)
		go func(body string) {
			defer wg.Done()
			sent := time.Now()
			resp, err := client.Post(url, "application/json", strings.NewReader(body))
			if err != nil {
				atomic.AddInt64(&failed, 1)
				return
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			took := time.Since(sent)
			if err != nil {
				atomic.AddInt64(&failed, 1)
				return
			}
			if resp.StatusCode/100 != 2 {
				atomic.AddInt64(&non2xx, 1)
			}
			mu.Lock()
			latencies = append(latencies, took)
			mu.Unlock()
		}(bodies[i%len(bodies)])
	}
	wg.Wait()
	sort.Slice(latencies, func(a, b int) bool { return latencies[a] < latencies[b] })
	out, _ := json.Marshal(result{
		Due:      due,
		Answered: len(latencies),
		Failed:   failed,
		Non2xx:   non2xx,
		P50Ms:    quantile(latencies, 0.50),
		P99Ms:    quantile(latencies, 0.99),
		MaxMs:    quantile(latencies, 1),
	})
	fmt.Println(string(out))
}
