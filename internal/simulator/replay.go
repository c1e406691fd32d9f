// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/seed-d80aa3af/qualysreceiver/internal/capture"
)

// Replay serves a directory the receiver captured (capture::directory) back, as the API server
// and gateway at once: a request gets the captured answer of the same method, path and
// parameters (see capture.MatchKey). A request captured several times gets its answers in
// capture order, then the last one again. Credentials are not checked: a capture has none.
type Replay struct {
	logger  *log.Logger
	answers map[string][]capture.Exchange
	kb      *kbIndex

	mu     sync.Mutex
	served map[string]int
	misses []string
}

// replayToken is what the replay's /auth answers: the captured calls need a token, not the user's.
const replayToken = "qualys-simulator-replay-token"

// NewReplay loads the captured exchanges of dir; logger gets one line per unmatched request.
func NewReplay(dir string, logger *log.Logger) (*Replay, error) {
	exchanges, err := capture.Load(dir)
	if err != nil {
		return nil, err
	}
	r := &Replay{logger: logger, answers: map[string][]capture.Exchange{}, served: map[string]int{}}
	for _, ex := range exchanges {
		key := ex.MatchKey()
		r.answers[key] = append(r.answers[key], ex)
	}
	if r.kb, err = indexKnowledgeBase(exchanges); err != nil {
		return nil, err
	}
	return r, nil
}

// Exchanges is the number of captured answers loaded.
func (r *Replay) Exchanges() int {
	n := 0
	for _, list := range r.answers {
		n += len(list)
	}
	return n
}

// Misses lists the requests no captured answer matched, as "METHOD path".
func (r *Replay) Misses() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.misses...)
}

func (r *Replay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.URL.Path == "/auth" && req.Method == http.MethodPost {
		w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, replayToken)
		return
	}
	params, body, err := requestParams(req)
	if err != nil {
		r.miss(w, req, "the request body could not be read: "+err.Error())
		return
	}
	if ex, ok := r.next(capture.MatchKey(req.Method, req.URL.Path, params, body)); ok {
		serveExchange(w, ex)
		return
	}
	if ids := params.Get("ids"); ids != "" && strings.Contains(req.URL.Path, "/fo/knowledge_base/vuln") && r.kb.complete() {
		// The KnowledgeBase is asked for the QIDs of each batch of detections, and which QIDs
		// fall in which batch depends on the order pages arrive: answer from every captured entry.
		r.kb.serve(w, ids)
		return
	}
	r.miss(w, req, "no captured answer has this method, path and parameters")
}

// next is the key's next captured answer.
func (r *Replay) next(key string) (capture.Exchange, bool) {
	list := r.answers[key]
	if len(list) == 0 {
		return capture.Exchange{}, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	i := min(r.served[key], len(list)-1)
	r.served[key]++
	return list[i], true
}

// requestParams reads the query and form parameters of req, and any other body as text.
func requestParams(req *http.Request) (url.Values, string, error) {
	params := req.URL.Query()
	if req.Body == nil {
		return params, "", nil
	}
	raw, err := io.ReadAll(io.LimitReader(req.Body, maxRequestBody))
	if err != nil {
		return nil, "", err
	}
	if mediaType, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mediaType == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(raw))
		for name, values := range form {
			params[name] = append(params[name], values...)
		}
		return params, "", err
	}
	return params, string(raw), nil
}

func serveExchange(w http.ResponseWriter, ex capture.Exchange) {
	body, err := os.Open(ex.BodyFile)
	if err != nil {
		gatewayError(w, http.StatusInternalServerError, "Internal Server Error", "replay: "+err.Error())
		return
	}
	defer body.Close()
	for name, values := range ex.Header {
		w.Header()[name] = values
	}
	if ex.ContentType != "" {
		w.Header().Set("Content-Type", ex.ContentType)
	}
	w.WriteHeader(ex.Status)
	_, _ = io.Copy(w, body)
}

// miss answers a request the capture cannot, in the error shape of the API it was meant for.
func (r *Replay) miss(w http.ResponseWriter, req *http.Request, why string) {
	text := fmt.Sprintf("qualys-simulator -replay: %s: %s %s", why, req.Method, req.URL.Path)
	r.mu.Lock()
	r.misses = append(r.misses, req.Method+" "+req.URL.Path)
	r.mu.Unlock()
	if r.logger != nil {
		if req.URL.RawQuery != "" {
			text += "?" + req.URL.RawQuery
		}
		r.logger.Print(text)
	}
	switch {
	case strings.HasPrefix(req.URL.Path, "/pcrs/") || req.URL.Path == "/auth":
		gatewayError(w, http.StatusNotFound, "Not Found", text)
	case strings.HasPrefix(req.URL.Path, "/qps/"):
		writeReplayQPSError(w, text)
	default:
		writeReplaySimpleReturn(w, text)
	}
}

func writeReplaySimpleReturn(w http.ResponseWriter, text string) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" ?>` + "\n<SIMPLE_RETURN>\n  <RESPONSE>\n    <TEXT>")
	_, _ = xmlEscaper.WriteString(&b, text)
	b.WriteString("</TEXT>\n  </RESPONSE>\n</SIMPLE_RETURN>\n")
	w.Header().Set("Content-Type", contentTypeXML)
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write(b.Bytes())
}

func writeReplayQPSError(w http.ResponseWriter, text string) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<ServiceResponse>\n  <responseCode>NOT_FOUND</responseCode>\n")
	b.WriteString("  <responseErrorDetails>\n    <errorMessage>")
	_, _ = xmlEscaper.WriteString(&b, text)
	b.WriteString("</errorMessage>\n  </responseErrorDetails>\n</ServiceResponse>\n")
	w.Header().Set("Content-Type", contentTypeXML)
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write(b.Bytes())
}
