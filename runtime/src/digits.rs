//! Integers as decimal text without the formatting machinery: numbers are on the call path,
//! as form values and inside JSON parameters.

/// Appends the decimal digits of `n` (as its `Display` writes them).
pub(crate) fn push_i64(n: i64, out: &mut String) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        out.push('-');
    }
    out.extend(digits[at..].iter().map(|&b| char::from(b)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_display_writes() {
        for n in [0, -7, 10, 3882527336184474047, i64::MIN, i64::MAX] {
            let mut out = String::from("x");
            push_i64(n, &mut out);
            assert_eq!(out, format!("x{n}"));
        }
    }
}
