// Copyright The qualysreceiver Authors
// SPDX-License-Identifier: Apache-2.0

package simulator

// Every generated value is a pure function of (seed, kind, index...), so the tenant never stores
// what it can recompute. The kinds keep the streams of different entities independent: changing
// how detections draw numbers never changes a host.
const (
	kindHost uint64 = iota + 1
	kindHostID
	kindAssetID
	kindHostTag
	kindDetSet
	kindDet
	kindQID
	kindVuln
	kindPolicy
	kindControl
	kindControlID
	kindPosture
	kindResults
	kindTag
	kindCloud
)

// mix64 is the splitmix64 finaliser: fast, and every input bit affects every output bit.
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// hash3 combines a seed, a kind and two coordinates into one well-mixed value.
func hash3(seed, kind, a, b uint64) uint64 {
	return mix64(mix64(mix64(seed^(kind*0xd1b54a32d192ed03))^a) ^ b)
}

// rng is a splitmix64 stream: the generators draw one entity's fields from it in a fixed order.
type rng struct{ s uint64 }

func newRNG(seed, kind, a, b uint64) rng { return rng{s: hash3(seed, kind, a, b)} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a value in [0, n); n <= 0 yields 0.
func (r *rng) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return int(r.next() % uint64(n))
}

// between returns a value in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// chance is true with probability pct/100.
func (r *rng) chance(pct int) bool { return r.intn(100) < pct }

func (r *rng) pick(list []string) string { return list[r.intn(len(list))] }

// weighted returns an index into weights, drawn in proportion to the weights.
func (r *rng) weighted(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.intn(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
