// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package decode

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// samplesDir holds the real Qualys samples, shared by the team and never copied into the module.
const samplesDir = "../../../shared/qualys-samples"

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(samplesDir, name))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("sample %s not found: %s is absent, so the real-sample tests are skipped", name, samplesDir)
	}
	require.NoError(t, err)
	return b
}

// invariantError reports a record that breaks a decoder's contract (fuzz targets fail on it).
type invariantError struct{ msg string }

func (e *invariantError) Error() string { return "invariant violated: " + e.msg }

func violated(format string, args ...any) error {
	return &invariantError{msg: fmt.Sprintf(format, args...)}
}

// eventsFunc decodes a whole document into a transcript: one line per record (or record
// error), and the terminating error (nil for a clean io.EOF).
type eventsFunc func(r io.Reader) ([]string, error)

// decoders lists every decoder's transcript function by name.
var decoders = map[string]eventsFunc{
	"HostDetections":  hldEvents,
	"HostList":        hostListEvents,
	"HostAssets":      hostAssetEvents,
	"KnowledgeBase":   kbEvents,
	"SimpleReturn":    simpleReturnEvents,
	"PostureInfoList": postureXMLEvents,
	"PCRSPolicies":    pcrsPolicyEvents,
	"PCRSHostIDs":     pcrsHostIDEvents,
	"PCRSPostures":    pcrsPostureEvents,
}

// loopEvents drives a decoder step function until io.EOF or a stream error, and checks that the
// stream error is sticky.
func loopEvents(step func() (string, error)) ([]string, error) {
	var ev []string
	for range 10_000_000 {
		line, err := step()
		if err == io.EOF {
			if _, again := step(); again != io.EOF {
				return ev, fmt.Errorf("io.EOF not sticky: %v", again)
			}
			return ev, nil
		}
		var re *RecordError
		if errors.As(err, &re) {
			ev = append(ev, "RecordError "+re.Error())
			continue
		}
		var ie *invariantError
		if errors.As(err, &ie) {
			return ev, err
		}
		if err != nil {
			if _, again := step(); again != err {
				return ev, fmt.Errorf("error not sticky: %v then %v", err, again)
			}
			return ev, err
		}
		ev = append(ev, line)
	}
	return ev, errors.New("decoder did not terminate")
}

func hldEvents(r io.Reader) ([]string, error) {
	d := NewHostDetections(r)
	return loopEvents(func() (string, error) {
		k, err := d.Next()
		if err != nil {
			return "", err
		}
		switch k {
		case KindHostStart:
			if d.Host().ID <= 0 {
				return "", violated("host without ID")
			}
			return fmt.Sprintf("HostStart %+v", *d.Host()), nil
		case KindDetection:
			det := *d.Detection()
			if det.Host != d.Host() || det.Host.ID <= 0 || det.QID <= 0 {
				return "", violated("detection without its host or QID: %+v", det)
			}
			if len(det.Results) > DefaultMaxResultsBytes*3 {
				return "", violated("RESULTS of %d bytes", len(det.Results))
			}
			det.Host = nil
			return fmt.Sprintf("Detection %+v", det), nil
		case KindHostEnd:
			return fmt.Sprintf("HostEnd %d", d.Host().ID), nil
		}
		return "", fmt.Errorf("unexpected kind %d", k)
	})
}

func hostListEvents(r io.Reader) ([]string, error) {
	d := NewHostList(r)
	ev, err := loopEvents(func() (string, error) {
		k, err := d.Next()
		if err != nil {
			return "", err
		}
		if k == KindIDRange {
			if r := d.IDRange(); r.Min <= 0 || r.Max < r.Min {
				return "", violated("bad range %+v", r)
			}
			return fmt.Sprintf("IDRange %+v", d.IDRange()), nil
		}
		if d.Host().ID <= 0 {
			return "", violated("host without ID")
		}
		return fmt.Sprintf("Host %+v", *d.Host()), nil
	})
	if err == nil && d.Warning() != nil {
		ev = append(ev, fmt.Sprintf("Warning %+v", *d.Warning()))
	}
	return ev, err
}

func hostAssetEvents(r io.Reader) ([]string, error) {
	d := NewHostAssets(r)
	ev, err := loopEvents(func() (string, error) {
		a, err := d.Read()
		if err != nil {
			return "", err
		}
		if a.ID <= 0 {
			return "", violated("asset without ID")
		}
		agent := a.Agent
		a.Agent = nil
		s := fmt.Sprintf("HostAsset %+v", *a)
		if agent != nil {
			s += fmt.Sprintf(" agent=%+v", *agent)
		}
		return s, nil
	})
	return append(ev, fmt.Sprintf("Response %+v", d.Response())), err
}

func kbEvents(r io.Reader) ([]string, error) {
	d := NewKnowledgeBase(r)
	d.MaxTextBytes = 1 << 10
	return loopEvents(func() (string, error) {
		v, err := d.Read()
		if err != nil {
			return "", err
		}
		if v.QID <= 0 {
			return "", violated("vuln without QID")
		}
		for _, c := range v.CVEs {
			if c.ID == "" {
				return "", violated("empty CVE ID")
			}
		}
		return fmt.Sprintf("Vuln %+v", *v), nil
	})
}

func simpleReturnEvents(r io.Reader) ([]string, error) {
	sr, err := DecodeSimpleReturn(r)
	if err != nil {
		return nil, err
	}
	return []string{fmt.Sprintf("SimpleReturn %+v", *sr)}, nil
}

func postureXMLEvents(r io.Reader) ([]string, error) {
	d := NewPostureInfoList(r)
	return loopEvents(func() (string, error) {
		k, err := d.Next()
		if err != nil {
			return "", err
		}
		switch k {
		case KindPosture:
			if d.Info().ID <= 0 {
				return "", violated("posture without ID")
			}
			return fmt.Sprintf("Posture %+v", *d.Info()), nil
		case KindGlossaryHost:
			return fmt.Sprintf("GlossaryHost %+v", *d.GlossaryHost()), nil
		case KindControl:
			return fmt.Sprintf("Control %+v", *d.Control()), nil
		case KindTechnology:
			return fmt.Sprintf("Technology %+v", *d.Technology()), nil
		case KindPolicy:
			return fmt.Sprintf("Policy %+v", *d.Policy()), nil
		}
		return "", fmt.Errorf("unexpected kind %d", k)
	})
}

func pcrsPolicyEvents(r io.Reader) ([]string, error) {
	d := NewPCRSPolicies(r)
	return loopEvents(func() (string, error) {
		p, err := d.Read()
		if err != nil {
			return "", err
		}
		if p.ID == "" {
			return "", violated("policy without ID")
		}
		return fmt.Sprintf("Policy %+v", *p), nil
	})
}

func pcrsHostIDEvents(r io.Reader) ([]string, error) {
	d := NewPCRSHostIDs(r)
	return loopEvents(func() (string, error) {
		p, err := d.Read()
		if err != nil {
			return "", err
		}
		if p.PolicyID == "" {
			return "", violated("host IDs without policy")
		}
		return fmt.Sprintf("HostIDs %+v", *p), nil
	})
}

func pcrsPostureEvents(r io.Reader) ([]string, error) {
	d := NewPCRSPostures(r)
	return loopEvents(func() (string, error) {
		p, err := d.Read()
		if err != nil {
			return "", err
		}
		if p.ID <= 0 {
			return "", violated("posture without ID")
		}
		if lost := d.UnreadableFields(); lost != nil {
			return fmt.Sprintf("Posture %+v unreadable %v", *p, lost), nil
		}
		return fmt.Sprintf("Posture %+v", *p), nil
	})
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}
