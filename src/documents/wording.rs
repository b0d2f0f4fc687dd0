//! Stored values in the words a border officer reads: transport modes in three languages,
//! counts with their unit in the plural and digits grouped. The signed payload keeps the
//! stored values; only the printed page changes.

/// "road 51C-123.45" (mode, then the vehicle, train, vessel or flight) in words.
pub fn conveyance(stored: &str) -> String {
    let (mode, identifier) = stored.split_once(' ').unwrap_or((stored, ""));
    let (english, vietnamese, chinese, means) = match mode {
        "road" => ("By road", "Đường bộ", "公路运输", "vehicle"),
        "rail" => ("By rail", "Đường sắt", "铁路运输", "train"),
        "sea" => ("By sea", "Đường biển", "海运", "vessel"),
        "air" => ("By air", "Đường hàng không", "空运", "flight"),
        _ => return stored.to_owned(),
    };
    let identifier = identifier.trim();
    if identifier.is_empty() {
        format!("{english} / {vietnamese} / {chinese}")
    } else {
        format!("{english}, {means} {identifier} / {vietnamese} / {chinese}")
    }
}

/// "1,000 cartons": the number with its digits grouped and a one-word English unit in the
/// plural; a longer description ("carton of 10 kg") is left as written.
pub fn count(number: u64, unit: &str) -> String {
    let single_word = !unit.is_empty() && unit.chars().all(|c| c.is_ascii_lowercase());
    let unit = if number == 1 || !single_word || unit.ends_with('s') {
        unit.to_owned()
    } else if unit.ends_with('x') || unit.ends_with("ch") || unit.ends_with("sh") {
        format!("{unit}es")
    } else {
        format!("{unit}s")
    };
    format!("{} {unit}", grouped(number))
}

/// A weight in kilograms as people write it: "18,000 kg", "12,500.5 kg".
pub fn kilograms(weight: f64) -> String {
    let whole = weight.trunc();
    let fraction = weight - whole;
    // Weights are far below 2^53, so the whole part converts exactly.
    let grouped_whole = grouped(whole.abs() as u64);
    let sign = if weight < 0.0 { "-" } else { "" };
    if fraction.abs() < 1e-9 {
        format!("{sign}{grouped_whole} kg")
    } else {
        let decimals = format!("{:.3}", fraction.abs());
        let decimals = decimals.trim_start_matches('0').trim_end_matches('0');
        format!("{sign}{grouped_whole}{decimals} kg")
    }
}

fn grouped(number: u64) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conveyance_reads_as_its_mode_in_three_languages_and_its_vehicle() {
        assert_eq!(
            conveyance("road 51C-123.45"),
            "By road, vehicle 51C-123.45 / Đường bộ / 公路运输"
        );
        assert_eq!(
            conveyance("sea MSC AURORA"),
            "By sea, vessel MSC AURORA / Đường biển / 海运"
        );
        assert_eq!(conveyance("air"), "By air / Đường hàng không / 空运");
        assert_eq!(conveyance("barge X1"), "barge X1");
    }

    #[test]
    fn counts_take_the_plural_and_group_digits() {
        assert_eq!(count(1000, "carton"), "1,000 cartons");
        assert_eq!(count(1, "carton"), "1 carton");
        assert_eq!(count(12, "box"), "12 boxes");
        assert_eq!(count(3, "crates"), "3 crates");
        assert_eq!(count(2, "carton of 10 kg"), "2 carton of 10 kg");
        assert_eq!(count(1234567, "bag"), "1,234,567 bags");
    }

    #[test]
    fn weights_group_digits_and_keep_needed_decimals() {
        assert_eq!(kilograms(18000.0), "18,000 kg");
        assert_eq!(kilograms(12500.5), "12,500.5 kg");
        assert_eq!(kilograms(0.25), "0.25 kg");
        assert_eq!(kilograms(999.0), "999 kg");
    }
}
