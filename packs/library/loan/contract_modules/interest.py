# Contract module: interest calculations shared by lending products (Contracts API 4).
# Smart contracts import it with
#     contract_module_imports = [ContractModule(alias="interest", expected_interface=[...])]
# and call vault.modules["interest"].<function>(...). Vault passes the calling contract's vault
# object as the first argument of every shared function.

from calendar import isleap
from datetime import datetime
from decimal import Decimal, ROUND_HALF_UP
from typing import Tuple

api = "4.0.0"
version = "1.1.0"
display_name = "Interest utilities"
summary = "Day-count, daily interest and amortisation helpers for lending products"

MONTHS_IN_YEAR = Decimal("12")
DEFAULT_ACCRUAL_PRECISION = 5


def round_to_precision(vault, amount: Decimal, precision: int = 2) -> Decimal:
    """Round half up to a number of decimal places (2: pennies)."""
    return amount.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)


def get_days_in_year(vault, days_in_year: str, effective_datetime: datetime) -> Decimal:
    """
    Resolve the day-count basis. "actual" means 365 or 366 depending on the year of
    effective_datetime; any other value is taken as a number of days.
    """
    if days_in_year == "actual":
        return Decimal("366") if isleap(effective_datetime.year) else Decimal("365")
    return Decimal(days_in_year)


def calculate_daily_interest(
    vault,
    balance: Decimal,
    yearly_rate: Decimal,
    days_in_year: str,
    effective_datetime: datetime,
    precision: int = DEFAULT_ACCRUAL_PRECISION,
) -> Decimal:
    """Interest for one day on balance at yearly_rate, rounded to precision places."""
    if balance <= 0 or yearly_rate <= 0:
        return Decimal("0")
    basis = get_days_in_year(vault, days_in_year, effective_datetime)
    return round_to_precision(vault, balance * yearly_rate / basis, precision)


def calculate_emi(
    vault,
    principal: Decimal,
    yearly_rate: Decimal,
    remaining_terms: int,
) -> Decimal:
    """
    Equated monthly instalment for an amortising loan:
        EMI = P * r * (1 + r)^n / ((1 + r)^n - 1), r the monthly rate, n the remaining terms.
    A zero rate spreads the principal evenly. The result is rounded to pennies.
    """
    if remaining_terms <= 0:
        return round_to_precision(vault, principal)
    if yearly_rate == 0:
        return round_to_precision(vault, principal / Decimal(remaining_terms))
    monthly_rate = yearly_rate / MONTHS_IN_YEAR
    growth = (1 + monthly_rate) ** remaining_terms
    return round_to_precision(vault, principal * monthly_rate * growth / (growth - 1))


def split_instalment(
    vault,
    emi: Decimal,
    outstanding_principal: Decimal,
    accrued_interest: Decimal,
    is_final_instalment: bool = False,
) -> Tuple[Decimal, Decimal]:
    """
    Split an instalment into (principal_due, interest_due). Interest is paid first; the final
    instalment clears the remaining principal whatever the EMI says.
    """
    interest_due = round_to_precision(vault, accrued_interest)
    if is_final_instalment:
        return outstanding_principal, interest_due
    principal_due = min(max(emi - interest_due, Decimal("0")), outstanding_principal)
    return principal_due, interest_due


def elapsed_terms(vault, start_datetime: datetime, effective_datetime: datetime) -> int:
    """Whole months between the loan start and effective_datetime."""
    months = (effective_datetime.year - start_datetime.year) * 12
    months += effective_datetime.month - start_datetime.month
    if effective_datetime.day < start_datetime.day:
        months -= 1
    return max(months, 0)
