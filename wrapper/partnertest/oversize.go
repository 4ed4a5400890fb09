package partnertest

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"strconv"
)

// writeOversize streams a valid JSON body of exactly n bytes (when n is at
// least 20) without building it in memory. It stops as soon as the client
// stops reading.
func writeOversize(w http.ResponseWriter, status int, operationID string, n int64) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	w.WriteHeader(status)
	bw := bufio.NewWriterSize(w, 32<<10)
	if operationID == "list-distributor-organizations" {
		oversizeList(bw, n)
	} else {
		oversizeMessage(bw, n)
	}
	_ = bw.Flush()
}

// oversizeList writes {"organizations":[ORG,ORG,...   ]}: as many valid
// organizations as fit, then blank space up to n bytes.
func oversizeList(bw *bufio.Writer, n int64) {
	const head, tail = `{"organizations":[`, `]}`
	if n < int64(len(head)+len(tail)) {
		_, _ = bw.WriteString((head + tail)[:n])
		return
	}
	_, _ = bw.WriteString(head)
	rest := n - int64(len(head)+len(tail))
	var org []byte
	for i := 0; ; i++ {
		org = fmt.Appendf(org[:0], `{"id":"00000000-0000-4000-8000-%012x","status":"active","client-id":"oversize-%012d",`+
			`"billing-address":{"name":"Oversize","country":"CH","city":"Lausanne","postal-code":"1003","street-name":"Rue du Test"}}`, i, i)
		if i > 0 {
			org = append([]byte{','}, org...)
		}
		if int64(len(org)) > rest {
			break
		}
		if _, err := bw.Write(org); err != nil {
			return
		}
		rest -= int64(len(org))
	}
	if pad(bw, ' ', rest) == nil {
		_, _ = bw.WriteString(tail)
	}
}

// oversizeMessage writes {"message":"xxx...x"} of n bytes.
func oversizeMessage(bw *bufio.Writer, n int64) {
	const head, tail = `{"message":"`, `"}`
	if n < int64(len(head)+len(tail)) {
		_, _ = bw.WriteString((head + tail)[:n])
		return
	}
	_, _ = bw.WriteString(head)
	if pad(bw, 'x', n-int64(len(head)+len(tail))) == nil {
		_, _ = bw.WriteString(tail)
	}
}

// pad writes n copies of c.
func pad(bw *bufio.Writer, c byte, n int64) error {
	chunk := bytes.Repeat([]byte{c}, 4096)
	for n > 0 {
		k := min(n, int64(len(chunk)))
		if _, err := bw.Write(chunk[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}
