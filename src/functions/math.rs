//! Numeric functions: abs, ceil, floor, round (with precision and rounding mode), sign, sqrt,
//! exp, log, log10, e, pi, rand, trigonometry, isNaN.

use std::cell::Cell;

use crate::error::Result;
use crate::value::Value;

use super::{arg_error, bad_arg};

thread_local! {
    static RNG: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let local = 0u8;
    (t ^ (&local as *const u8 as u64).rotate_left(32)) | 1
}

/// A fast non-cryptographic random number (xorshift64*), per thread.
pub(crate) fn random_u64() -> u64 {
    RNG.with(|s| {
        let mut x = s.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        s.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

fn number(name: &str, v: &Value) -> Result<Option<f64>> {
    match v {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i as f64)),
        Value::Float(f) => Ok(Some(*f)),
        other => Err(bad_arg(name, other)),
    }
}

fn float_fn(name: &str, v: &Value, f: fn(f64) -> f64) -> Result<Value> {
    Ok(number(name, v)?.map_or(Value::Null, |x| Value::Float(f(x))))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Up,
    Down,
    Ceiling,
    Floor,
    HalfUp,
    HalfDown,
    HalfEven,
}

fn parse_mode(v: &Value) -> Result<Mode> {
    let Value::String(s) = v else {
        return Err(bad_arg("round", v));
    };
    Ok(match s.to_ascii_uppercase().as_str() {
        "UP" => Mode::Up,
        "DOWN" => Mode::Down,
        "CEILING" => Mode::Ceiling,
        "FLOOR" => Mode::Floor,
        "HALF_UP" => Mode::HalfUp,
        "HALF_DOWN" => Mode::HalfDown,
        "HALF_EVEN" => Mode::HalfEven,
        _ => {
            return Err(arg_error(
                "InvalidArgumentValue",
                format!("unknown rounding mode `{s}`"),
            ))
        }
    })
}

/// Rounds `x` to `precision` decimal places on its shortest decimal representation (as
/// Java's `BigDecimal.valueOf(x).setScale(precision, mode)`), so `round(2.675, 2)` is 2.68.
fn round_decimal(x: f64, precision: i64, mode: Mode) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    let negative = x < 0.0;
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    // How many leading digits survive: those left of the decimal point plus `precision`.
    let keep = exp.saturating_add(1).saturating_add(precision);
    if keep >= digits.len() as i64 {
        return x;
    }
    let kept_digits = &digits[..keep.max(0) as usize];
    let dropped: &[u8] = if keep >= 0 {
        &digits[keep as usize..]
    } else {
        &digits
    };
    // The first dropped digit is a leading zero when we drop more than all digits.
    let first = if keep >= 0 { dropped[0] } else { 0 };
    let rest_nonzero = if keep >= 0 {
        dropped[1..].iter().any(|&d| d != 0)
    } else {
        dropped.iter().any(|&d| d != 0)
    };
    let any_dropped = first != 0 || rest_nonzero;
    let mut kept: u64 = kept_digits
        .iter()
        .fold(0, |acc, &d| acc * 10 + u64::from(d));
    let half = match first.cmp(&5) {
        std::cmp::Ordering::Greater => Some(true),
        std::cmp::Ordering::Less => Some(false),
        std::cmp::Ordering::Equal if rest_nonzero => Some(true),
        std::cmp::Ordering::Equal => None, // exactly half
    };
    let up = match mode {
        Mode::Up => any_dropped,
        Mode::Down => false,
        Mode::Ceiling => any_dropped && !negative,
        Mode::Floor => any_dropped && negative,
        Mode::HalfUp => half.unwrap_or(true),
        Mode::HalfDown => half.unwrap_or(false),
        Mode::HalfEven => half.unwrap_or(kept % 2 == 1),
    };
    if up {
        kept += 1;
    }
    let scale = exp + 1 - keep;
    let r: f64 = format!("{kept}e{scale}").parse().unwrap_or(x.abs());
    if negative {
        -r
    } else {
        r
    }
}

fn round(args: &[Value]) -> Result<Value> {
    let Some(x) = number("round", &args[0])? else {
        return Ok(Value::Null);
    };
    if args.len() == 1 {
        // Java Math.round: half rounds toward positive infinity.
        return Ok(Value::Float(if x.is_finite() {
            (x + 0.5).floor()
        } else {
            x
        }));
    }
    let precision = match &args[1] {
        Value::Null => return Ok(Value::Null),
        Value::Int(p) => *p,
        other => return Err(bad_arg("round", other)),
    };
    if precision < 0 {
        return Err(arg_error(
            "InvalidArgumentValue",
            "Precision argument to 'round()' cannot be negative",
        ));
    }
    // Neo4j 5: precision 0 without an explicit mode is `round(x)` (ties toward positive
    // infinity), so `round(-1.5, 0)` is -1.0; an explicit mode rounds the decimal.
    if precision == 0 && args.len() == 2 {
        return round(&args[..1]);
    }
    let mode = match args.get(2) {
        None => Mode::HalfUp,
        Some(Value::Null) => return Ok(Value::Null),
        Some(m) => parse_mode(m)?,
    };
    Ok(Value::Float(round_decimal(x, precision, mode)))
}

/// The numeric functions; `None` when `name` is not one of them.
pub(super) fn call(name: &str, args: &mut [Value]) -> Option<Result<Value>> {
    let a = args.first().unwrap_or(&Value::Null);
    Some(match name {
        "abs" => match a {
            Value::Null => Ok(Value::Null),
            Value::Int(i) => i
                .checked_abs()
                .map(Value::Int)
                .ok_or_else(|| arg_error("IntegerOverflow", "integer overflow in abs()")),
            Value::Float(f) => Ok(Value::Float(f.abs())),
            other => Err(bad_arg(name, other)),
        },
        "sign" => match a {
            Value::Null => Ok(Value::Null),
            Value::Int(i) => Ok(Value::Int(i.signum())),
            Value::Float(f) if f.is_nan() => Ok(Value::Int(0)),
            Value::Float(f) => Ok(Value::Int(if *f > 0.0 {
                1
            } else if *f < 0.0 {
                -1
            } else {
                0
            })),
            other => Err(bad_arg(name, other)),
        },
        "ceil" => float_fn(name, a, f64::ceil),
        "floor" => float_fn(name, a, f64::floor),
        "round" => round(args),
        "sqrt" => float_fn(name, a, f64::sqrt),
        "exp" => float_fn(name, a, f64::exp),
        "log" => float_fn(name, a, f64::ln),
        "log10" => float_fn(name, a, f64::log10),
        "sin" => float_fn(name, a, f64::sin),
        "cos" => float_fn(name, a, f64::cos),
        "tan" => float_fn(name, a, f64::tan),
        "cot" => float_fn(name, a, |x| 1.0 / x.tan()),
        "sinh" => float_fn(name, a, f64::sinh),
        "cosh" => float_fn(name, a, f64::cosh),
        "tanh" => float_fn(name, a, f64::tanh),
        "coth" => float_fn(name, a, |x| 1.0 / x.tanh()),
        "asin" => float_fn(name, a, f64::asin),
        "acos" => float_fn(name, a, f64::acos),
        "atan" => float_fn(name, a, f64::atan),
        "degrees" => float_fn(name, a, f64::to_degrees),
        "radians" => float_fn(name, a, f64::to_radians),
        "haversin" => float_fn(name, a, |x| (1.0 - x.cos()) / 2.0),
        "atan2" => {
            let y = number(name, a);
            let x = number(name, args.get(1).unwrap_or(&Value::Null));
            match (y, x) {
                (Ok(Some(y)), Ok(Some(x))) => Ok(Value::Float(y.atan2(x))),
                (Err(e), _) | (_, Err(e)) => Err(e),
                _ => Ok(Value::Null),
            }
        }
        "isNaN" => Ok(number(name, a)
            .map(|x| x.map_or(Value::Null, |x| Value::Bool(x.is_nan())))
            .unwrap_or(Value::Null)),
        "e" => Ok(Value::Float(std::f64::consts::E)),
        "pi" => Ok(Value::Float(std::f64::consts::PI)),
        "rand" => Ok(Value::Float(
            (random_u64() >> 11) as f64 / (1u64 << 53) as f64,
        )),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_rounding_modes() {
        assert_eq!(round_decimal(2.675, 2, Mode::HalfUp), 2.68);
        assert_eq!(round_decimal(-1.5, 0, Mode::HalfUp), -2.0);
        assert_eq!(round_decimal(-1.5, 0, Mode::HalfDown), -1.0);
        assert_eq!(round_decimal(2.5, 0, Mode::HalfEven), 2.0);
        assert_eq!(round_decimal(3.5, 0, Mode::HalfEven), 4.0);
        assert_eq!(round_decimal(1.21, 1, Mode::Ceiling), 1.3);
        assert_eq!(round_decimal(-1.21, 1, Mode::Ceiling), -1.2);
        assert_eq!(round_decimal(1234.5, -2, Mode::HalfUp), 1200.0);
        assert_eq!(round_decimal(0.004, 2, Mode::Up), 0.01);
        assert_eq!(round_decimal(0.0004, 2, Mode::HalfUp), 0.0);
        assert_eq!(round_decimal(1.5, 3, Mode::HalfUp), 1.5);
        assert_eq!(round_decimal(99.96, 1, Mode::HalfUp), 100.0);
    }

    #[test]
    fn plain_round_is_half_up_toward_positive() {
        let r = |x: f64| round(&[Value::Float(x)]).ok();
        assert_eq!(r(2.5), Some(Value::Float(3.0)));
        assert_eq!(r(-2.5), Some(Value::Float(-2.0)));
        assert_eq!(r(-2.6), Some(Value::Float(-3.0)));
    }
}
