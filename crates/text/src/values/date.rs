//! Dates as people write them: `2023.6.28`, `2023年4月25日`, `2023-04-25`, `2023/4/25`,
//! and Excel serial numbers. `20234..25` is not a date and is not guessed at.

use chrono::NaiveDate;

use crate::normalize::norm;

/// Parses a written date; `None` when the text is not a date.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = norm(text);
    let t = t.trim_end_matches('日').trim_end_matches('号');
    let parts: Vec<&str> = t.split(['.', '-', '/', '年', '月']).collect();
    if parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
    {
        if parts[0].len() != 4 {
            return None;
        }
        let y: i32 = parts[0].parse().ok()?;
        let m: u32 = parts[1].parse().ok()?;
        let d: u32 = parts[2].parse().ok()?;
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    // 20230425 written as one number
    if t.len() == 8 && t.chars().all(|c| c.is_ascii_digit()) {
        let y: i32 = t[..4].parse().ok()?;
        let m: u32 = t[4..6].parse().ok()?;
        let d: u32 = t[6..].parse().ok()?;
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    None
}

/// An Excel serial date (days since 1899-12-30) as a date, when plausible.
pub fn from_excel_serial(v: f64) -> Option<NaiveDate> {
    if !(1.0..=200_000.0).contains(&v) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_signed(chrono::Duration::days(v.floor() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn written_dates() {
        assert_eq!(parse_date("2023.6.28"), d(2023, 6, 28));
        assert_eq!(parse_date(" 2023年4月25日"), d(2023, 4, 25));
        assert_eq!(parse_date("2023-04-25"), d(2023, 4, 25));
        assert_eq!(parse_date("2023/4/25"), d(2023, 4, 25));
        assert_eq!(parse_date("20234..25"), None);
        assert_eq!(parse_date("2023.2.30"), None);
        assert_eq!(from_excel_serial(45105.0), d(2023, 6, 28));
    }
}
