// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package qualysreceiver // import "github.com/seed-d80aa3af/qualysreceiver"

import (
	"fmt"

	"go.uber.org/zap"

	"github.com/seed-d80aa3af/qualysreceiver/internal/capture"
)

// CaptureConfig keeps a copy of every Qualys answer, for reporting a problem: qualys-simulator
// -replay serves the directory back. Off unless Directory is set.
type CaptureConfig struct {
	// Directory receives each answer with its request's method, path and parameters; never a
	// password, token, Authorization header or cookie. Created when missing.
	Directory string `mapstructure:"directory"`
	// MaxBytes stops capturing once the directory holds this many bytes (files already in it
	// count). Defaults to 100 MiB.
	MaxBytes int64 `mapstructure:"max_bytes"`
}

const defaultCaptureMaxBytes = 100 << 20

func (cfg *CaptureConfig) validate() []error {
	if cfg.Directory == "" {
		return nil
	}
	if cfg.MaxBytes < 1 {
		return []error{fmt.Errorf("capture::max_bytes: %d must be at least 1", cfg.MaxBytes)}
	}
	return nil
}

// writer opens the capture directory; nil when capturing is off.
func (cfg *CaptureConfig) writer(logger *zap.Logger) (*capture.Writer, error) {
	if cfg.Directory == "" {
		return nil, nil
	}
	w, err := capture.NewWriter(cfg.Directory, cfg.MaxBytes, captureStopped(logger, cfg.Directory))
	if err != nil {
		return nil, fmt.Errorf("capture::directory: %w", err)
	}
	logger.Warn("Capturing every Qualys answer, for a problem report; turn capture off when done",
		zap.String("directory", cfg.Directory), zap.Int64("max_bytes", cfg.MaxBytes))
	return w, nil
}

// captureStopped logs, once, why capturing stopped.
func captureStopped(logger *zap.Logger, dir string) func(reason string, err error) {
	return func(reason string, err error) {
		fields := []zap.Field{zap.String("reason", reason), zap.String("directory", dir)}
		if err != nil {
			fields = append(fields, zap.Error(err))
		}
		logger.Warn("Capture stopped: later answers are not captured; polls go on", fields...)
	}
}
