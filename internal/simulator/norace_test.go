// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

//go:build !race

package simulator

const raceEnabled = false
