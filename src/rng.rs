//! SplitMix64 (Steele, Lea and Flood, 2014): a tiny, fixed, well-known generator, for the fault
//! rules' seeded probabilities and for correlation ids.
//!
//! Written out here rather than taken from `rand` because the point of a seed is that the same
//! seed gives the same outcomes in every future version of the emulator, and `rand` documents
//! that `StdRng` and `SmallRng` may change their algorithm between releases.

/// A seeded generator of uniform numbers; not for cryptography.
#[derive(Clone, Copy, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// The step between states: each number is the mix of the state after one more step.
    const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The generator `seed` gives after `draws` numbers: the same sequence, picked up there.
    pub fn after(seed: u64, draws: u64) -> Self {
        Self {
            state: seed.wrapping_add(draws.wrapping_mul(Self::GAMMA)),
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(Self::GAMMA);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)`, from the top 53 bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generator_picked_up_after_n_draws_continues_the_sequence() {
        let mut rng = SplitMix64::new(42);
        let sequence: Vec<u64> = (0..10).map(|_| rng.next_u64()).collect();
        for (draws, expected) in sequence.iter().enumerate() {
            assert_eq!(SplitMix64::after(42, draws as u64).next_u64(), *expected);
        }
    }

    #[test]
    fn the_sequence_matches_the_reference_implementation() {
        let mut rng = SplitMix64::new(1_234_567);
        let first: Vec<u64> = (0..5).map(|_| rng.next_u64()).collect();
        assert_eq!(
            first,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821,
            ]
        );
    }

    #[test]
    fn fractions_stay_in_the_unit_interval() {
        let mut rng = SplitMix64::new(0);
        for _ in 0..10_000 {
            let x = rng.next_f64();
            assert!((0.0..1.0).contains(&x), "{x}");
        }
    }
}
