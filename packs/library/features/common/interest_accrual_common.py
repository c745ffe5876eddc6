# Interest accrual building blocks shared by deposit and lending products: day-count basis,
# accrual precision and the daily accrual amount. Product features decide where accruals go.

# standard libs
from calendar import isleap
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

# features
import features.common.utils as utils

# contracts api
from contracts_api import (
    NumberShape,
    Parameter,
    ParameterLevel,
    UnionItem,
    UnionItemValue,
    UnionShape,
)

# inception sdk
from inception_sdk.vault.contracts.extensions.contracts_api_extensions import SmartContractVault

# Addresses tracking accrued amounts on the customer account
ACCRUED_INTEREST_PAYABLE = "ACCRUED_INTEREST_PAYABLE"
ACCRUED_INTEREST_RECEIVABLE = "ACCRUED_INTEREST_RECEIVABLE"
INTERNAL_CONTRA = "INTERNAL_CONTRA"

PARAM_DAYS_IN_YEAR = "days_in_year"
PARAM_ACCRUAL_PRECISION = "accrual_precision"

DEFAULT_ACCRUAL_PRECISION: int = 5
DAYS_IN_YEAR_CHOICES = ["actual", "365", "366", "360"]

days_in_year_param = Parameter(
    name=PARAM_DAYS_IN_YEAR,
    level=ParameterLevel.TEMPLATE,
    description="Day count basis used to derive the daily rate from the yearly rate.",
    display_name="Days in year",
    shape=UnionShape(
        items=[UnionItem(key=choice, display_name=choice.title()) for choice in DAYS_IN_YEAR_CHOICES]
    ),
    default_value=UnionItemValue(key="365"),
)
accrual_precision_param = Parameter(
    name=PARAM_ACCRUAL_PRECISION,
    level=ParameterLevel.TEMPLATE,
    description="Decimal places kept on daily accruals.",
    display_name="Accrual precision",
    shape=NumberShape(min_value=Decimal("0"), max_value=Decimal("15"), step=Decimal("1")),
    default_value=Decimal(DEFAULT_ACCRUAL_PRECISION),
)

parameters = [days_in_year_param, accrual_precision_param]


class AccrualDetail(NamedTuple):
    amount: Decimal
    description: str


def get_days_in_year(vault: SmartContractVault, effective_datetime: datetime) -> Decimal:
    basis = utils.get_parameter(vault, PARAM_DAYS_IN_YEAR).key
    if basis == "actual":
        return Decimal("366") if isleap(effective_datetime.year) else Decimal("365")
    return Decimal(basis)


def get_daily_rate(vault: SmartContractVault, yearly_rate: Decimal, effective_datetime: datetime) -> Decimal:
    return yearly_rate / get_days_in_year(vault, effective_datetime)


def calculate_daily_accrual(
    vault: SmartContractVault,
    balance: Decimal,
    yearly_rate: Decimal,
    effective_datetime: datetime,
) -> AccrualDetail:
    """
    The interest accrued for one day on a balance. Non-positive balances or rates accrue
    nothing; the amount is rounded to the accrual precision parameter.
    """
    if balance <= 0 or yearly_rate <= 0:
        return AccrualDetail(amount=Decimal("0"), description="No interest accrued")
    daily_rate = get_daily_rate(vault, yearly_rate, effective_datetime)
    precision = int(utils.get_parameter(vault, PARAM_ACCRUAL_PRECISION, default_value=DEFAULT_ACCRUAL_PRECISION))
    amount = utils.round_decimal(balance * daily_rate, decimal_places=precision)
    return AccrualDetail(
        amount=amount,
        description=f"Daily interest accrued at {daily_rate:.10f} on balance of {balance:.2f}",
    )
