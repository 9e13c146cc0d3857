//! CSV as RFC 4180 writes it: comma-separated fields, CRLF line ends, and a field holding a
//! comma, a quote or a line break enclosed in quotes with its quotes doubled.

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
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
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
}
