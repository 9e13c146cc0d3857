//! CSV as RFC 4180 writes it: comma-separated fields, CRLF line ends, and a field holding a
//! comma, a quote or a line break enclosed in quotes with its quotes doubled. Text that a
//! spreadsheet would run as a formula is defused (OWASP's "CSV injection" advice).

/// One record (line) of fields, ending in CRLF.
pub fn record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields
        .iter()
        .map(|f| field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

fn field(value: &str) -> String {
    let defused;
    let value = if starts_a_formula(value) {
        defused = format!("'{value}");
        defused.as_str()
    } else {
        value
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// `=`, `+`, `-`, `@`, a tab or a carriage return first makes spreadsheets read a formula;
/// a plain number (`-12.50`) is left alone so that it stays a number.
fn starts_a_formula(value: &str) -> bool {
    let is_number = {
        let digits = value.strip_prefix('-').unwrap_or(value);
        !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && digits.bytes().filter(|&b| b == b'.').count() <= 1
    };
    value.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_number
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_fields_stay_as_they_are() {
        assert_eq!(record(&["a", "200.00", ""]), "a,200.00,\r\n");
    }

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted() {
        assert_eq!(
            record(&["Your card was declined, sorry", "say \"hi\"", "two\nlines"]),
            "\"Your card was declined, sorry\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        );
    }

    #[test]
    fn text_a_spreadsheet_would_run_is_defused_but_numbers_are_not() {
        assert_eq!(
            record(&["=HYPERLINK(\"http://x\")", "@SUM(A1)", "+1", "-12.50", "-"]),
            "\"'=HYPERLINK(\"\"http://x\"\")\",'@SUM(A1),'+1,-12.50,'-\r\n"
        );
    }
}
