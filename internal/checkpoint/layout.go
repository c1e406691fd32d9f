// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package checkpoint // import "github.com/seed-d80aa3af/qualysreceiver/internal/checkpoint"

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// Two layouts are read. A checkpoint without an attachment is JSON, {"version":1,"state":...}. One
// with an attachment (a gauge's encoded counts, megabytes in a large tenant) is binary: the magic,
// the version, the length of the state's JSON, the JSON, then the attachment's raw bytes, so
// saving it encodes the attachment once, in place, instead of in base64 twice over.
const (
	jsonVersion   = 1
	binaryVersion = 2
	// binaryMagic starts a binary checkpoint; a JSON one starts with '{'.
	binaryMagic = "\x00qck"
)

type envelope struct {
	Version int             `json:"version"`
	State   json.RawMessage `json:"state"`
}

// errVersion is a checkpoint this receiver does not read: it starts over rather than misread it.
type errVersion int

func (v errVersion) Error() string {
	return fmt.Sprintf("has version %d, this receiver reads versions %d and %d", int(v), jsonVersion, binaryVersion)
}

var errDamaged = errors.New("binary checkpoint cut short")

// encodeJSON is the JSON layout of a state already encoded as JSON.
func encodeJSON(state []byte) ([]byte, error) {
	return json.Marshal(envelope{Version: jsonVersion, State: state})
}

// appendBinary appends to buf the binary layout of a state encoded as JSON, with what attach
// appends after it.
func appendBinary(buf, state []byte, attach func([]byte) []byte) []byte {
	buf = append(buf, binaryMagic...)
	buf = binary.AppendUvarint(buf, binaryVersion)
	buf = binary.AppendUvarint(buf, uint64(len(state)))
	buf = append(buf, state...)
	return attach(buf)
}

// decode reads raw, in either layout, into state; attachment is what follows the state in a
// binary checkpoint (a part of raw), nil in a JSON one.
func decode(raw []byte, state any) (attachment []byte, err error) {
	if len(raw) == 0 || raw[0] != binaryMagic[0] {
		var env envelope
		if err := json.Unmarshal(raw, &env); err != nil {
			return nil, err
		}
		if env.Version != jsonVersion {
			return nil, errVersion(env.Version)
		}
		return nil, json.Unmarshal(env.State, state)
	}
	if len(raw) < len(binaryMagic) || string(raw[:len(binaryMagic)]) != binaryMagic {
		return nil, errDamaged
	}
	rest := raw[len(binaryMagic):]
	version, n := binary.Uvarint(rest)
	if n <= 0 {
		return nil, errDamaged
	}
	if version != binaryVersion {
		return nil, errVersion(min(version, 1<<30))
	}
	rest = rest[n:]
	size, n := binary.Uvarint(rest)
	if n <= 0 || size > uint64(len(rest)-n) {
		return nil, errDamaged
	}
	rest = rest[n:]
	if err := json.Unmarshal(rest[:size], state); err != nil {
		return nil, err
	}
	return rest[size:], nil
}
