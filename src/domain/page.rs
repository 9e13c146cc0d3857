//! How many items one page of a list holds, as every list endpoint takes it (`?limit=`).

const DEFAULT: i64 = 10;
const MAX: i64 = 100;

/// 1 to 100 items, 10 when not given (Stripe's own bounds and default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize(i64);

impl PageSize {
    pub fn parse(limit: Option<i64>) -> Result<Self, String> {
        let limit = limit.unwrap_or(DEFAULT);
        if (1..=MAX).contains(&limit) {
            Ok(PageSize(limit))
        } else {
            Err(format!(
                "\"limit\" must be between 1 and {MAX} (got {limit})."
            ))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_unless_given_and_one_to_a_hundred() {
        assert_eq!(PageSize::parse(None).unwrap().get(), 10);
        assert_eq!(PageSize::parse(Some(100)).unwrap().get(), 100);
        assert!(
            PageSize::parse(Some(0))
                .unwrap_err()
                .contains("between 1 and 100")
        );
        assert!(PageSize::parse(Some(101)).is_err());
    }
}
