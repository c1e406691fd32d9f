// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
)

// serveAdmin is the scripting surface for processes that cannot call the Go API (make run, manual
// tests). It needs no credentials: the simulator only listens where its user put it.
//
//	GET    /sim/faults            list installed faults with match/fire counts
//	POST   /sim/faults            install one fault (JSON object) or several (JSON array); returns ids
//	DELETE /sim/faults[?id=N]     remove one fault, or all
//	GET    /sim/requests          the request log (JSON)
//	DELETE /sim/requests          empty the request log
//	DELETE /sim/limits            forget counted calls (rate windows start afresh)
//	POST   /sim/tokens/expire     expire every issued JWT
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	switch r.Method + " " + r.URL.Path {
	case "GET /sim/faults":
		writeJSON(w, http.StatusOK, s.Faults())
	case "POST /sim/faults":
		s.adminAddFaults(w, r)
	case "DELETE /sim/faults":
		if id := r.URL.Query().Get("id"); id != "" {
			n, _ := strconv.Atoi(id)
			if !s.RemoveFault(n) {
				writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such fault"})
				return
			}
		} else {
			s.ClearFaults()
		}
		w.WriteHeader(http.StatusNoContent)
	case "GET /sim/requests":
		writeJSON(w, http.StatusOK, s.Requests())
	case "DELETE /sim/requests":
		s.ResetRequests()
		w.WriteHeader(http.StatusNoContent)
	case "DELETE /sim/limits":
		s.ResetLimits()
		w.WriteHeader(http.StatusNoContent)
	case "POST /sim/tokens/expire":
		s.ExpireTokens()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) adminAddFaults(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var faults []Fault
	if err == nil {
		if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '[' {
			err = json.Unmarshal(trimmed, &faults)
		} else {
			var f Fault
			err = json.Unmarshal(trimmed, &f)
			faults = []Fault{f}
		}
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	ids := []int{}
	for _, f := range faults {
		id, err := s.InjectFault(f)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error(), "installed": ids})
			return
		}
		ids = append(ids, id)
	}
	writeJSON(w, http.StatusCreated, map[string][]int{"ids": ids})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
