# Savings interest: the gross rate is the bank base rate (global parameter) plus a product
# margin. Interest accrues daily on the end-of-day balance and is applied monthly, on the first
# business day on or after the application day.

# standard libs
from datetime import datetime
from dateutil.relativedelta import relativedelta
from decimal import Decimal

# features
import features.common.fetchers as fetchers
import features.common.interest_accrual_common as accrual_common
import features.common.utils as utils

# contracts api
from contracts_api import (
    CustomInstruction,
    NumberShape,
    Parameter,
    ParameterLevel,
    ScheduledEvent,
    ScheduleExpression,
    StringShape,
)

# inception sdk
from inception_sdk.vault.contracts.extensions.contracts_api_extensions import SmartContractVault

# Events
ACCRUAL_EVENT = "ACCRUE_INTEREST"
APPLICATION_EVENT = "APPLY_INTEREST"

# Global parameter the rate tracks (declared in the template's global_parameters)
BASE_RATE_GLOBAL_PARAMETER = "base_rate"

# Decorator constants
BALANCES_FETCHER = fetchers.EFFECTIVE_OBSERVATION_FETCHER_ID
APPLICATION_FETCHERS = [*fetchers.SCHEDULED_EVENT_FETCHERS]
HOLIDAY_CALENDARS = ["&{PUBLIC_HOLIDAYS}"]

PARAM_INTEREST_RATE_MARGIN = "interest_rate_margin"
PARAM_INTEREST_APPLICATION_DAY = "interest_application_day"
PARAM_INTERNAL_ACCOUNTS = "internal_accounts"

# Keys of the internal_accounts JSON parameter
ACCRUED_INTEREST_PAYABLE_ACCOUNT = "accrued_interest_payable"
INTEREST_PAID_ACCOUNT = "interest_paid"

parameters = [
    *accrual_common.parameters,
    Parameter(
        name=PARAM_INTEREST_RATE_MARGIN,
        level=ParameterLevel.TEMPLATE,
        description="Margin added to the base rate (may be negative).",
        display_name="Margin over base rate",
        shape=NumberShape(min_value=Decimal("-1"), max_value=Decimal("1"), step=Decimal("0.0001")),
        default_value=Decimal("0"),
    ),
    Parameter(
        name=PARAM_INTEREST_APPLICATION_DAY,
        level=ParameterLevel.TEMPLATE,
        description="Day of the month on which interest is applied.",
        display_name="Interest application day",
        shape=NumberShape(min_value=Decimal("1"), max_value=Decimal("28"), step=Decimal("1")),
        default_value=Decimal("1"),
    ),
    Parameter(
        name=PARAM_INTERNAL_ACCOUNTS,
        level=ParameterLevel.TEMPLATE,
        description="JSON map of the accrued_interest_payable and interest_paid internal accounts.",
        display_name="Internal accounts",
        shape=StringShape(),
    ),
]


def scheduled_events(vault: SmartContractVault, start_datetime: datetime) -> dict:
    """Daily accrual just after midnight; the application check on the days it may fall on."""
    start = start_datetime + relativedelta(days=1, hour=0, minute=0, second=0)
    day = int(utils.get_parameter(vault, PARAM_INTEREST_APPLICATION_DAY))
    return {
        ACCRUAL_EVENT: ScheduledEvent(
            start_datetime=start,
            expression=ScheduleExpression(hour=0, minute=0, second=0),
        ),
        APPLICATION_EVENT: ScheduledEvent(
            start_datetime=start,
            expression=ScheduleExpression(day=f"{day}-{min(day + 6, 31)}", hour=0, minute=1, second=0),
        ),
    }


def get_gross_rate(vault: SmartContractVault, effective_datetime: datetime) -> Decimal:
    base_rate = utils.get_parameter(vault, BASE_RATE_GLOBAL_PARAMETER, at_datetime=effective_datetime)
    return base_rate + utils.get_parameter(vault, PARAM_INTEREST_RATE_MARGIN)


def is_application_date(vault: SmartContractVault, effective_datetime: datetime) -> bool:
    day = int(utils.get_parameter(vault, PARAM_INTEREST_APPLICATION_DAY))
    if effective_datetime.day < day:
        return False
    if not utils.is_business_day(vault, effective_datetime, HOLIDAY_CALENDARS):
        return False
    candidate = effective_datetime.replace(day=day)
    while candidate < effective_datetime:
        if utils.is_business_day(vault, candidate, HOLIDAY_CALENDARS):
            return False
        candidate += relativedelta(days=1)
    return True


def accrue_interest(vault: SmartContractVault, effective_datetime: datetime) -> list[CustomInstruction]:
    denomination = utils.get_parameter(vault, utils.PARAM_DENOMINATION)
    balances = vault.get_balances_observation(fetcher_id=BALANCES_FETCHER).balances
    balance = utils.balance_at_coordinates(balances=balances, denomination=denomination)
    accrual = accrual_common.calculate_daily_accrual(
        vault, balance, get_gross_rate(vault, effective_datetime), effective_datetime
    )
    if accrual.amount <= 0:
        return []
    accounts = utils.get_parameter(vault, PARAM_INTERNAL_ACCOUNTS, is_json=True)
    postings = utils.create_postings(
        accrual.amount,
        denomination,
        debit_account=accounts[INTEREST_PAID_ACCOUNT],
        credit_account=accounts[ACCRUED_INTEREST_PAYABLE_ACCOUNT],
    ) + utils.create_postings(
        accrual.amount,
        denomination,
        debit_account=vault.account_id,
        credit_account=vault.account_id,
        debit_address=accrual_common.INTERNAL_CONTRA,
        credit_address=accrual_common.ACCRUED_INTEREST_PAYABLE,
    )
    return [
        CustomInstruction(
            postings=postings,
            instruction_details={"description": accrual.description, "event": ACCRUAL_EVENT},
        )
    ]


def apply_interest(vault: SmartContractVault, balances=None) -> list[CustomInstruction]:
    """Pay the accrued interest (rounded to pennies) and clear the whole accrual."""
    denomination = utils.get_parameter(vault, utils.PARAM_DENOMINATION)
    balances = balances or vault.get_balances_observation(fetcher_id=BALANCES_FETCHER).balances
    accrued = utils.balance_at_coordinates(
        balances=balances, address=accrual_common.ACCRUED_INTEREST_PAYABLE, denomination=denomination
    )
    payable = utils.round_decimal(accrued)
    if payable <= 0:
        return []
    accounts = utils.get_parameter(vault, PARAM_INTERNAL_ACCOUNTS, is_json=True)
    postings = utils.create_postings(
        payable,
        denomination,
        debit_account=accounts[ACCRUED_INTEREST_PAYABLE_ACCOUNT],
        credit_account=vault.account_id,
    ) + utils.create_postings(
        accrued,
        denomination,
        debit_account=vault.account_id,
        credit_account=vault.account_id,
        debit_address=accrual_common.ACCRUED_INTEREST_PAYABLE,
        credit_address=accrual_common.INTERNAL_CONTRA,
    )
    return [
        CustomInstruction(
            postings=postings,
            instruction_details={"description": "Monthly interest application", "event": APPLICATION_EVENT},
        )
    ]
