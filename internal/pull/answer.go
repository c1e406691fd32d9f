// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package pull // import "github.com/seed-d80aa3af/qualysreceiver/internal/pull"

import (
	"errors"
	"io"

	"github.com/seed-d80aa3af/qualysreceiver/internal/decode"
	"github.com/seed-d80aa3af/qualysreceiver/internal/qualys"
)

// ReadAnswer reads an answer to its end, the one loop every answer is read with. read returns the
// next record, or io.EOF at the end; a *decode.RecordError for a record the decoder skipped, which
// skip is told of before the loop goes on (with skip nil it ends the answer like a broken
// stream); a *qualys.Error, returned as it is; or another error, which marks the answer unreadable
// and is returned as a qualys.ResponseError of endpoint. Each record goes to use, whose error
// ends the loop as it is.
func ReadAnswer[T any](resp *qualys.Response, endpoint string, read func() (T, error), skip func(*decode.RecordError), use func(T) error) error {
	for {
		rec, err := read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var re *decode.RecordError
		if errors.As(err, &re) && skip != nil {
			skip(re)
			continue
		}
		var qe *qualys.Error
		if errors.As(err, &qe) {
			return err
		}
		if err != nil {
			resp.Unreadable()
			return qualys.ResponseError(endpoint, err)
		}
		if err := use(rec); err != nil {
			return err
		}
	}
}
