//! What a purchase costs. Computed on the server only; the UI shows the same figures but
//! never decides what is charged.

use super::money::{Currency, UnitPrice};
use super::plan::Plan;
use crate::api_types::{PlanPrice, PricingInfo};

/// Stripe's largest single charge in a two-decimal currency: $999,999.99.
pub const MAX_CHARGE_MINOR_UNITS: i64 = 99_999_999;
pub const MIN_QUANTITY: i64 = 1;
pub const DEFAULT_MAX_QUANTITY: i64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pricing {
    pub currency: Currency,
    pub annual: UnitPrice,
    pub quarterly: UnitPrice,
    pub max_quantity: i64,
}

/// A number of sessions within the allowed range for one purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionQuantity(i64);

impl SessionQuantity {
    pub fn get(self) -> i64 {
        self.0
    }
}

/// The price of one purchase, in minor units of the pricing's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    pub unit_amount: i64,
    pub amount: i64,
}

impl Pricing {
    pub fn unit_price(&self, plan: Plan) -> UnitPrice {
        match plan {
            Plan::Annual => self.annual,
            Plan::Quarterly => self.quarterly,
        }
    }

    pub fn quantity(&self, requested: i64) -> Result<SessionQuantity, String> {
        if (MIN_QUANTITY..=self.max_quantity).contains(&requested) {
            Ok(SessionQuantity(requested))
        } else {
            Err(format!(
                "Choose between {MIN_QUANTITY} and {} sessions per purchase (got {requested}).",
                self.max_quantity
            ))
        }
    }

    pub fn quote(&self, plan: Plan, quantity: SessionQuantity) -> Result<Quote, String> {
        let unit_amount = self.unit_price(plan).cents();
        match unit_amount.checked_mul(quantity.get()) {
            Some(amount) if amount <= MAX_CHARGE_MINOR_UNITS => Ok(Quote {
                unit_amount,
                amount,
            }),
            _ => Err(
                "That is more than one card payment can cover; buy fewer sessions at a time."
                    .into(),
            ),
        }
    }

    /// The pricing a `PricingInfo` describes: how the browser rebuilds the server's pricing so
    /// that the total it shows comes from the same rules as the amount charged.
    pub fn from_info(info: &PricingInfo) -> Result<Pricing, String> {
        let price = |plan: Plan| {
            let listed = info
                .plans
                .iter()
                .find(|listed| listed.id == plan.id())
                .ok_or_else(|| format!("no price for the {} plan", plan.id()))?;
            UnitPrice::new(listed.unit_amount)
        };
        Ok(Pricing {
            currency: Currency::parse(&info.currency)?,
            annual: price(Plan::Annual)?,
            quarterly: price(Plan::Quarterly)?,
            max_quantity: info.max_quantity,
        })
    }

    pub fn info(&self) -> PricingInfo {
        PricingInfo {
            currency: self.currency.code().to_owned(),
            plans: Plan::ALL
                .into_iter()
                .map(|plan| PlanPrice {
                    id: plan.id().to_owned(),
                    unit_amount: self.unit_price(plan).cents(),
                })
                .collect(),
            min_quantity: MIN_QUANTITY,
            max_quantity: self.max_quantity,
        }
    }

    /// How much cheaper one session is on the annual plan than on the quarterly one.
    pub fn annual_saving_per_session(&self) -> i64 {
        self.quarterly.cents() - self.annual.cents()
    }
}

/// The default prices ($20 annual, $25 quarterly, in usd), for tests.
#[cfg(test)]
pub(crate) fn sample_pricing() -> Pricing {
    Pricing {
        currency: Currency::parse("usd").unwrap(),
        annual: UnitPrice::new(2000).unwrap(),
        quarterly: UnitPrice::new(2500).unwrap(),
        max_quantity: DEFAULT_MAX_QUANTITY,
    }
}

#[cfg(test)]
mod tests {
    use super::sample_pricing as pricing;
    use super::*;

    #[test]
    fn quote_is_quantity_times_the_plan_price() {
        let p = pricing();
        let q = p.quote(Plan::Annual, p.quantity(10).unwrap()).unwrap();
        assert_eq!(
            q,
            Quote {
                unit_amount: 2000,
                amount: 20_000
            }
        );
        let q = p.quote(Plan::Quarterly, p.quantity(3).unwrap()).unwrap();
        assert_eq!(q.amount, 7_500);
    }

    #[test]
    fn quantity_bounds_are_enforced() {
        let p = pricing();
        assert!(p.quantity(0).is_err());
        assert!(p.quantity(-1).is_err());
        assert!(p.quantity(DEFAULT_MAX_QUANTITY + 1).is_err());
        assert_eq!(
            p.quantity(DEFAULT_MAX_QUANTITY).unwrap().get(),
            DEFAULT_MAX_QUANTITY
        );
    }

    #[test]
    fn a_total_beyond_one_stripe_charge_is_refused() {
        let mut p = pricing();
        p.quarterly = UnitPrice::new(UnitPrice::MAX_CENTS).unwrap();
        assert!(p.quote(Plan::Quarterly, p.quantity(100).unwrap()).is_err());
    }

    #[test]
    fn pricing_survives_the_trip_through_its_wire_form() {
        let p = pricing();
        assert_eq!(Pricing::from_info(&p.info()), Ok(p));
    }

    #[test]
    fn wire_pricing_without_a_plan_is_refused() {
        let mut info = pricing().info();
        info.plans.retain(|plan| plan.id != "quarterly");
        assert!(Pricing::from_info(&info).unwrap_err().contains("quarterly"));
    }

    #[test]
    fn annual_saving_is_the_price_difference() {
        assert_eq!(pricing().annual_saving_per_session(), 500);
    }
}
