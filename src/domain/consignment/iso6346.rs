//! ISO 6346 freight container numbers: owner code (3 letters), category (U, J or Z), 6-digit
//! serial and a check digit computed over the first ten characters.

/// The letter values skip multiples of 11.
fn letter_value(letter: u8) -> Option<u32> {
    if !letter.is_ascii_uppercase() {
        return None;
    }
    let mut value = 10;
    for candidate in b'A'..=b'Z' {
        if value % 11 == 0 {
            value += 1;
        }
        if candidate == letter {
            return Some(value);
        }
        value += 1;
    }
    None
}

/// Whether `number` (already without spaces, upper case) is a valid ISO 6346 number.
pub fn is_valid(number: &str) -> bool {
    let bytes = number.as_bytes();
    if bytes.len() != 11 {
        return false;
    }
    let (owner, rest) = bytes.split_at(3);
    let (category, rest) = rest.split_at(1);
    let (serial, check) = rest.split_at(6);
    if !owner.iter().all(u8::is_ascii_uppercase)
        || !matches!(category, [b'U' | b'J' | b'Z'])
        || !serial.iter().all(u8::is_ascii_digit)
        || !check.iter().all(u8::is_ascii_digit)
    {
        return false;
    }
    let mut sum = 0u32;
    for (position, byte) in bytes.iter().take(10).enumerate() {
        let value = if byte.is_ascii_digit() {
            u32::from(byte - b'0')
        } else {
            letter_value(*byte).unwrap_or(0)
        };
        sum += value << position;
    }
    let digit = (sum % 11) % 10;
    check.first().is_some_and(|check| u32::from(check - b'0') == digit)
}

/// Upper case without spaces, as container numbers are compared.
pub fn normalize(number: &str) -> String {
    number
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_examples_are_valid() {
        for number in ["CSQU3054383", "MSKU9070323"] {
            assert!(is_valid(number), "{number}");
        }
    }

    #[test]
    fn a_wrong_check_digit_or_shape_is_invalid() {
        for number in [
            "CSQU3054384",
            "CSQX3054383",
            "CS1U3054383",
            "CSQU305438",
            "CSQU30543830",
            "csqu3054383",
        ] {
            assert!(!is_valid(number), "{number}");
        }
    }

    #[test]
    fn numbers_are_normalised_before_checking() {
        assert!(is_valid(&normalize("csqu 305438 3")));
    }
}
