//! The benches' random numbers: a xorshift64 generator, seeded by the caller, so that every
//! run of a bench builds the same graph and asks the same questions.

/// xorshift64 (Marsaglia): fast, reproducible, and good enough to scatter ids and weights.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Zipf-like pick in 0..n: P(rank k) ∝ (k + 1)^-s, by inverting the continuous CDF.
    #[allow(dead_code)] // each bench compiles this file as its own module; not all use it
    pub fn zipf(&mut self, n: u64, s: f64) -> u64 {
        let e = 1.0 - s;
        let top = ((n + 1) as f64).powf(e) - 1.0;
        let x = (1.0 + self.unit() * top).powf(1.0 / e);
        (x as u64).saturating_sub(1).min(n - 1)
    }
}
