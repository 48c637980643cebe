//! Calendar rules on [`Date`]: ISO week dates, ordinal days, quarters, adding months.

use super::{days_in_month, is_leap_year, Date};

use super::year_in_range;

impl Date {
    /// A checked constructor from wide integers (years up to ±999,999,999).
    pub fn from_parts(year: i64, month: i64, day: i64) -> Option<Date> {
        if !year_in_range(year) {
            return None;
        }
        Date::new(
            i32::try_from(year).ok()?,
            u8::try_from(month).ok()?,
            u8::try_from(day).ok()?,
        )
    }

    /// The date of ISO week `week`, weekday `dow` (Monday = 1) of week-based year `year`.
    pub fn from_week_date(year: i64, week: i64, dow: i64) -> Option<Date> {
        if !(1..=53).contains(&week) || !(1..=7).contains(&dow) {
            return None;
        }
        // Week 1 holds January 4th.
        let jan4 = Date::from_parts(year, 1, 4)?;
        let week1_monday = jan4.to_days() - i64::from(jan4.weekday()) + 1;
        let d = Date::from_days(week1_monday + (week - 1) * 7 + dow - 1);
        (week < 53 || d.iso_week().0 == year).then_some(d)
    }

    /// Day `ordinal` (1-based) of `year`.
    pub fn from_ordinal(year: i64, ordinal: i64) -> Option<Date> {
        let start = Date::from_parts(year, 1, 1)?;
        let length = if is_leap_year(start.year) { 366 } else { 365 };
        (1..=length)
            .contains(&ordinal)
            .then(|| Date::from_days(start.to_days() + ordinal - 1))
    }

    /// Day `day` (1-based) of quarter `quarter` of `year`.
    pub fn from_quarter_day(year: i64, quarter: i64, day: i64) -> Option<Date> {
        if !(1..=4).contains(&quarter) || !(1..=92).contains(&day) {
            return None;
        }
        let first = Date::from_parts(year, (quarter - 1) * 3 + 1, 1)?;
        let d = Date::from_days(first.to_days() + day - 1);
        (d.quarter() == quarter && i64::from(d.year) == year).then_some(d)
    }

    pub fn quarter(self) -> i64 {
        i64::from(self.month.saturating_sub(1) / 3 + 1)
    }

    /// Day of the quarter, 1-based.
    pub fn day_of_quarter(self) -> i64 {
        let first_month = (self.quarter() - 1) * 3 + 1;
        let start = Date::from_parts(i64::from(self.year), first_month, 1).unwrap_or(self);
        self.to_days() - start.to_days() + 1
    }

    /// ISO-8601 (week-based year, week number).
    pub fn iso_week(self) -> (i64, i64) {
        let ordinal = i64::from(self.ordinal());
        let weekday = i64::from(self.weekday());
        let week = (ordinal - weekday + 10) / 7;
        let year = i64::from(self.year);
        if week < 1 {
            return match Date::from_parts(year - 1, 12, 31) {
                Some(prev) => prev.iso_week(),
                None => (year - 1, 52),
            };
        }
        let weeks_in_year = {
            // A year has 53 weeks when Jan 1 is a Thursday, or a Wednesday in a leap year.
            let jan1 = Date::from_parts(year, 1, 1).map_or(1, Date::weekday);
            if jan1 == 4 || (jan1 == 3 && is_leap_year(self.year)) {
                53
            } else {
                52
            }
        };
        if week > weeks_in_year {
            return (year + 1, 1);
        }
        (year, week)
    }

    /// The date `months` months later, the day clamped to the month's length (Java's rule);
    /// `None` beyond the supported years.
    pub fn plus_months(self, months: i64) -> Option<Date> {
        let total = i64::from(self.year)
            .checked_mul(12)?
            .checked_add(i64::from(self.month) - 1)?
            .checked_add(months)?;
        let year = total.div_euclid(12);
        let month = total.rem_euclid(12) + 1;
        if !year_in_range(year) {
            return None;
        }
        let year = i32::try_from(year).ok()?;
        let day = self.day.min(days_in_month(year, month as u8));
        Date::new(year, month as u8, day)
    }

    /// The date `days` days later; `None` beyond the supported years.
    pub fn plus_days(self, days: i64) -> Option<Date> {
        let d = self.to_days().checked_add(days)?;
        (super::MIN_EPOCH_DAY..=super::MAX_EPOCH_DAY)
            .contains(&d)
            .then(|| Date::from_days(d))
    }

    /// Months from the start of the proleptic calendar (for `duration.between`).
    pub fn proleptic_month(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn week_dates_and_months() {
        let d = |y, m, dd| Date::new(y, m, dd).expect("valid");
        assert_eq!(Date::from_week_date(1817, 1, 1), Some(d(1816, 12, 30)));
        assert_eq!(Date::from_week_date(1818, 53, 1), Some(d(1818, 12, 28)));
        assert_eq!(Date::from_week_date(2019, 53, 1), None);
        assert_eq!(d(1984, 1, 1).iso_week(), (1983, 52));
        assert_eq!(d(1984, 10, 11).iso_week(), (1984, 41));
        assert_eq!(d(2020, 1, 31).plus_months(1), Some(d(2020, 2, 29)));
        assert_eq!(d(2020, 1, 31).plus_months(-13), Some(d(2018, 12, 31)));
        assert_eq!(Date::from_quarter_day(1984, 3, 45), Some(d(1984, 8, 14)));
        assert_eq!(Date::from_quarter_day(1984, 1, 92), None);
        assert_eq!(d(1984, 11, 11).day_of_quarter(), 42);
        assert_eq!(
            Date::from_parts(-999_999_999, 1, 1).map(Date::to_days),
            Some(super::super::MIN_EPOCH_DAY)
        );
        assert_eq!(
            Date::from_parts(999_999_999, 12, 31).map(Date::to_days),
            Some(super::super::MAX_EPOCH_DAY)
        );
    }
}
