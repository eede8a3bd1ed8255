//! vSphere API releases (`8.0.2.0`, `9.1.1.0`) and their order.

use std::cmp::Ordering;

/// Whether `text` is a release: two or more dot-separated decimal numbers.
pub fn is_release(text: &str) -> bool {
    let mut parts = 0;
    for part in text.split('.') {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        parts += 1;
    }
    parts >= 2
}

/// Orders releases by their numbers (`8.0.10.0` after `8.0.2.0`); missing trailing parts
/// count as 0, so `8.0` equals `8.0.0.0`. Parts that are not numbers order as 0.
pub fn compare(a: &str, b: &str) -> Ordering {
    let mut left = a.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let mut right = b.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (l, r) => match l.unwrap_or(0).cmp(&r.unwrap_or(0)) {
                Ordering::Equal => {}
                other => return other,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_by_number() {
        assert_eq!(compare("8.0.10.0", "8.0.2.0"), Ordering::Greater);
        assert_eq!(compare("8.0", "8.0.0.0"), Ordering::Equal);
        assert_eq!(compare("7.0.3.0", "8.0.1.0"), Ordering::Less);
        assert!(is_release("9.1.1.0") && is_release("8.0") && !is_release("8") && !is_release("v8.0") && !is_release("8..0"));
    }
}
