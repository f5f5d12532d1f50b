//! A few bytes made in a fixed array and added to a buffer at once: the index writes ~17
//! million such runs at 10,000 briefs (packed counts, postings' text).

/// Up to 32 bytes. Written a byte at a time into the array, they are added to a `Vec` as one
/// copy of fixed size: a push a byte checked the `Vec`'s room each time, and a copy of a
/// few bytes of variable length is a call to `memcpy`.
#[derive(Default)]
pub struct ShortBytes {
    bytes: [u8; 32],
    len: usize,
}

impl ShortBytes {
    pub fn push(&mut self, byte: u8) {
        self.bytes[self.len] = byte;
        self.len += 1;
    }

    /// Sets the byte at `at`, pushed before.
    pub fn set(&mut self, at: usize, byte: u8) {
        self.bytes[at] = byte;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// `n` in LEB128 (seven bits a byte, lowest first).
    pub fn leb128(&mut self, mut n: u32) {
        while n >= 0x80 {
            self.push(n as u8 | 0x80);
            n >>= 7;
        }
        self.push(n as u8);
    }

    /// `n` in decimal, by hand: these numbers have one to four digits, and copying `itoa`'s
    /// few bytes called `memcpy` for each. Below 1,000, two digits at a time from a table.
    pub fn decimal(&mut self, mut n: u32) {
        if n < 1000 {
            if n >= 100 {
                self.push(b'0' + (n / 100) as u8);
                n %= 100;
                let [tens, ones] = DIGIT_PAIRS[n as usize];
                self.push(tens);
                self.push(ones);
            } else if n >= 10 {
                let [tens, ones] = DIGIT_PAIRS[n as usize];
                self.push(tens);
                self.push(ones);
            } else {
                self.push(b'0' + n as u8);
            }
            return;
        }
        let mut digits = [0u8; 10];
        let mut first = digits.len();
        loop {
            first -= 1;
            digits[first] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for &digit in &digits[first..] {
            self.push(digit);
        }
    }

    /// Adds the bytes to `out`: all 32, a copy of fixed size, then `out` cut back.
    pub fn add_to(&self, out: &mut Vec<u8>) {
        let end = out.len() + self.len;
        out.extend_from_slice(&self.bytes);
        out.truncate(end);
    }
}

/// The two digits of each number below 100.
const DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0u8; 2]; 100];
    let mut n = 0;
    while n < 100 {
        pairs[n] = [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
        n += 1;
    }
    pairs
};
