package partnertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// answer is a response computed in full before it is validated and sent.
type answer struct {
	status int
	header http.Header // extra headers; Content-Type is always application/json
	body   []byte      // nil: empty body
}

// message is the body of every error answer, and of the operations whose
// success is only a sentence.
type message struct {
	Message string `json:"message"`
}

// jsonAnswer marshals v as the body.
func jsonAnswer(status int, v any) answer {
	b, err := json.Marshal(v)
	if err != nil { // only plain structs are marshalled: a bug in the fake
		panic(fmt.Sprintf("partnertest: marshalling %T: %v", v, err))
	}
	return answer{status: status, body: b}
}

// errorf is an error answer: {"message": "..."}.
func errorf(status int, format string, args ...any) answer {
	return jsonAnswer(status, message{fmt.Sprintf(format, args...)})
}

// write sends ans: application/json, with an exact Content-Length.
func (ans answer) write(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range ans.header {
		h[k] = v
	}
	h.Set("Content-Type", "application/json")
	if ans.status != http.StatusNoContent && ans.status != http.StatusNotModified {
		h.Set("Content-Length", strconv.Itoa(len(ans.body)))
	}
	w.WriteHeader(ans.status)
	if len(ans.body) > 0 {
		_, _ = w.Write(ans.body)
	}
}
