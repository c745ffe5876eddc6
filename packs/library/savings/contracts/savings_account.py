# Savings account (Contracts API 4).
# Variable-rate easy-access savings: the gross rate tracks the bank's base rate (a global
# parameter) plus a product margin. Interest accrues daily and is applied monthly on the first
# business day on or after the application day. Dormant accounts reject customer postings.
# The feature-based source of this contract is template/savings_account.py.

from contracts_api import (
    DEFAULT_ADDRESS, DEFAULT_ASSET, ActivationHookArguments, ActivationHookResult,
    BalanceDefaultDict, BalancesObservationFetcher, CustomInstruction, DefinedDateTime,
    DenominationShape, NumberShape, Parameter, ParameterLevel, Phase, Posting,
    PostingInstructionsDirective, PrePostingHookArguments, PrePostingHookResult, Rejection,
    RejectionReason, ScheduledEvent, ScheduledEventHookArguments, ScheduledEventHookResult,
    ScheduleExpression, SmartContractEventType, StringShape, Tside, UnionItem, UnionItemValue,
    UnionShape, fetch_account_data, requires,
)
from datetime import datetime
from dateutil.relativedelta import relativedelta
from decimal import Decimal, ROUND_HALF_UP
from json import loads
from typing import Optional

api = "4.0.0"
version = "2.1.0"
display_name = "Easy Access Saver"
summary = "Variable-rate savings account tracking the bank base rate"
explanation = (
    "Interest at base rate plus a margin accrues daily on the end-of-day balance and is paid "
    "monthly. Deposits below the minimum or above the maximum balance are rejected."
)
tside = Tside.LIABILITY
supported_denominations = ["GBP"]
global_parameters = ["base_rate"]

# Addresses
ACCRUED_INTEREST_PAYABLE = "ACCRUED_INTEREST_PAYABLE"
INTERNAL_CONTRA = "INTERNAL_CONTRA"

# Events
ACCRUE_INTEREST = "ACCRUE_INTEREST"
APPLY_INTEREST = "APPLY_INTEREST"

# Fetchers
LIVE_BALANCES_BOF_ID = "live_balances_bof"
EFFECTIVE_FETCHER_ID = "effective_balances"
data_fetchers = [
    BalancesObservationFetcher(fetcher_id=LIVE_BALANCES_BOF_ID, at=DefinedDateTime.LIVE),
    BalancesObservationFetcher(fetcher_id=EFFECTIVE_FETCHER_ID, at=DefinedDateTime.EFFECTIVE_DATETIME),
]

# Parameters
PARAM_DENOMINATION = "denomination"
PARAM_INTEREST_RATE_MARGIN = "interest_rate_margin"
PARAM_DAYS_IN_YEAR = "days_in_year"
PARAM_ACCRUAL_PRECISION = "accrual_precision"
PARAM_INTEREST_APPLICATION_DAY = "interest_application_day"
PARAM_MINIMUM_DEPOSIT = "minimum_deposit"
PARAM_MAXIMUM_BALANCE = "maximum_balance"
PARAM_DORMANCY_FLAGS = "dormancy_flags"
PARAM_INTERNAL_ACCOUNTS = "internal_accounts"
BASE_RATE = "base_rate"

parameters = [
    Parameter(
        name=PARAM_DENOMINATION, level=ParameterLevel.TEMPLATE, display_name="Denomination",
        description="Denomination of the account.", shape=DenominationShape(), default_value="GBP",
    ),
    Parameter(
        name=PARAM_INTEREST_RATE_MARGIN, level=ParameterLevel.TEMPLATE,
        display_name="Margin over base rate", description="Added to the base rate (may be negative).",
        shape=NumberShape(min_value=Decimal("-1"), max_value=Decimal("1"), step=Decimal("0.0001")),
        default_value=Decimal("0"),
    ),
    Parameter(
        name=PARAM_DAYS_IN_YEAR, level=ParameterLevel.TEMPLATE, display_name="Days in year",
        description="Day count basis for the daily rate.",
        shape=UnionShape(items=[UnionItem(key="actual", display_name="Actual"),
                                UnionItem(key="365", display_name="365"),
                                UnionItem(key="360", display_name="360")]),
        default_value=UnionItemValue(key="365"),
    ),
    Parameter(
        name=PARAM_ACCRUAL_PRECISION, level=ParameterLevel.TEMPLATE, display_name="Accrual precision",
        description="Decimal places kept on daily accruals.",
        shape=NumberShape(min_value=Decimal("0"), max_value=Decimal("15"), step=Decimal("1")),
        default_value=Decimal("5"),
    ),
    Parameter(
        name=PARAM_INTEREST_APPLICATION_DAY, level=ParameterLevel.TEMPLATE,
        display_name="Interest application day", description="Day of month interest is paid.",
        shape=NumberShape(min_value=Decimal("1"), max_value=Decimal("28"), step=Decimal("1")),
        default_value=Decimal("1"),
    ),
    Parameter(
        name=PARAM_MINIMUM_DEPOSIT, level=ParameterLevel.TEMPLATE, display_name="Minimum deposit",
        description="Smallest single deposit accepted.",
        shape=NumberShape(min_value=Decimal("0"), step=Decimal("0.01")), default_value=Decimal("1"),
    ),
    Parameter(
        name=PARAM_MAXIMUM_BALANCE, level=ParameterLevel.TEMPLATE, display_name="Maximum balance",
        description="Deposits that would take the balance above this are rejected.",
        shape=NumberShape(min_value=Decimal("0"), step=Decimal("0.01")), default_value=Decimal("85000"),
    ),
    Parameter(
        name=PARAM_DORMANCY_FLAGS, level=ParameterLevel.TEMPLATE, display_name="Dormancy flags",
        description="JSON list of flag ids that mark the account dormant.",
        shape=StringShape(), default_value="[]",
    ),
    Parameter(
        name=PARAM_INTERNAL_ACCOUNTS, level=ParameterLevel.TEMPLATE, display_name="Internal accounts",
        description="JSON map of accrued_interest_payable and interest_paid internal account ids.",
        shape=StringShape(),
    ),
]

event_types = [
    SmartContractEventType(name=ACCRUE_INTEREST, scheduler_tag_ids=["SAVINGS_ACCRUE_INTEREST_AST"]),
    SmartContractEventType(name=APPLY_INTEREST, scheduler_tag_ids=["SAVINGS_APPLY_INTEREST_AST"]),
]


def _param(vault, name: str, is_json: bool = False):
    value = vault.get_parameter_timeseries(name=name).latest()
    return loads(value) if is_json else value


def _balance(balances: BalanceDefaultDict, denomination: str, address: str = DEFAULT_ADDRESS):
    return balances[(address, DEFAULT_ASSET, denomination, Phase.COMMITTED)].net


def _days_in_year(vault, effective_datetime: datetime) -> Decimal:
    basis = _param(vault, PARAM_DAYS_IN_YEAR).key
    if basis != "actual":
        return Decimal(basis)
    year = effective_datetime.year
    return Decimal("366") if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else Decimal("365")


def _is_business_day(vault, moment: datetime) -> bool:
    if moment.weekday() >= 5:
        return False
    holidays = vault.get_calendar_events(calendar_ids=["&{PUBLIC_HOLIDAYS}"])
    return not any(event.start_datetime <= moment < event.end_datetime for event in holidays)


def _is_application_date(vault, effective_datetime: datetime) -> bool:
    """True on the first business day on or after the application day of the month."""
    day = int(_param(vault, PARAM_INTEREST_APPLICATION_DAY))
    if effective_datetime.day < day or not _is_business_day(vault, effective_datetime):
        return False
    candidate = effective_datetime.replace(day=day)
    while candidate < effective_datetime:
        if _is_business_day(vault, candidate):
            return False
        candidate += relativedelta(days=1)
    return True


def _move(amount, denomination, debit_account, debit_address, credit_account, credit_address):
    return [
        Posting(credit=False, amount=amount, denomination=denomination, account_id=debit_account,
                account_address=debit_address, asset=DEFAULT_ASSET, phase=Phase.COMMITTED),
        Posting(credit=True, amount=amount, denomination=denomination, account_id=credit_account,
                account_address=credit_address, asset=DEFAULT_ASSET, phase=Phase.COMMITTED),
    ]


def _accrue(vault, effective_datetime: datetime, balances) -> list:
    denomination = _param(vault, PARAM_DENOMINATION)
    balance = _balance(balances, denomination)
    rate = vault.get_parameter_timeseries(name=BASE_RATE).latest() + _param(vault, PARAM_INTEREST_RATE_MARGIN)
    if balance <= 0 or rate <= 0:
        return []
    precision = Decimal(1).scaleb(-int(_param(vault, PARAM_ACCRUAL_PRECISION)))
    amount = (balance * rate / _days_in_year(vault, effective_datetime)).quantize(
        precision, rounding=ROUND_HALF_UP)
    accounts = _param(vault, PARAM_INTERNAL_ACCOUNTS, is_json=True)
    postings = _move(amount, denomination, accounts["interest_paid"], DEFAULT_ADDRESS,
                     accounts["accrued_interest_payable"], DEFAULT_ADDRESS)
    postings += _move(amount, denomination, vault.account_id, INTERNAL_CONTRA,
                      vault.account_id, ACCRUED_INTEREST_PAYABLE)
    return [CustomInstruction(postings=postings,
                              instruction_details={"description": f"Daily interest accrual at {rate}",
                                                   "event": ACCRUE_INTEREST})]


def _apply(vault, balances) -> list:
    denomination = _param(vault, PARAM_DENOMINATION)
    accrued = _balance(balances, denomination, ACCRUED_INTEREST_PAYABLE)
    payable = accrued.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if payable <= 0:
        return []
    accounts = _param(vault, PARAM_INTERNAL_ACCOUNTS, is_json=True)
    postings = _move(payable, denomination, accounts["accrued_interest_payable"], DEFAULT_ADDRESS,
                     vault.account_id, DEFAULT_ADDRESS)
    # clear the whole accrual, including the sub-penny remainder
    postings += _move(accrued, denomination, vault.account_id, ACCRUED_INTEREST_PAYABLE,
                      vault.account_id, INTERNAL_CONTRA)
    return [CustomInstruction(postings=postings,
                              instruction_details={"description": "Monthly interest application",
                                                   "event": APPLY_INTEREST})]


@requires(parameters=True)
def activation_hook(vault, hook_arguments: ActivationHookArguments) -> Optional[ActivationHookResult]:
    start = hook_arguments.effective_datetime + relativedelta(days=1, hour=0, minute=0, second=0)
    day = int(_param(vault, PARAM_INTEREST_APPLICATION_DAY))
    return ActivationHookResult(scheduled_events_return_value={
        ACCRUE_INTEREST: ScheduledEvent(
            start_datetime=start, expression=ScheduleExpression(hour=0, minute=0, second=0)),
        APPLY_INTEREST: ScheduledEvent(
            start_datetime=start,
            expression=ScheduleExpression(day=f"{day}-{min(day + 6, 31)}", hour=0, minute=1, second=0)),
    })


@requires(parameters=True, flags=True)
@fetch_account_data(balances=[LIVE_BALANCES_BOF_ID])
def pre_posting_hook(vault, hook_arguments: PrePostingHookArguments) -> Optional[PrePostingHookResult]:
    denomination = _param(vault, PARAM_DENOMINATION)
    proposed = Decimal("0")
    for instruction in hook_arguments.posting_instructions:
        for coordinate, balance in instruction.balances().items():
            if coordinate.denomination != denomination:
                return PrePostingHookResult(rejection=Rejection(
                    message=f"Cannot make transactions in {coordinate.denomination}",
                    reason_code=RejectionReason.WRONG_DENOMINATION))
            if coordinate.account_address == DEFAULT_ADDRESS:
                proposed += balance.net
    for flag_id in _param(vault, PARAM_DORMANCY_FLAGS, is_json=True):
        if vault.get_flag_timeseries(flag=flag_id).at(at_datetime=hook_arguments.effective_datetime):
            return PrePostingHookResult(rejection=Rejection(
                message="Account is dormant", reason_code=RejectionReason.AGAINST_TNC))
    balance = _balance(vault.get_balances_observation(fetcher_id=LIVE_BALANCES_BOF_ID).balances,
                       denomination)
    if 0 < proposed < _param(vault, PARAM_MINIMUM_DEPOSIT):
        return PrePostingHookResult(rejection=Rejection(
            message="Deposit is below the minimum deposit", reason_code=RejectionReason.AGAINST_TNC))
    if balance + proposed > _param(vault, PARAM_MAXIMUM_BALANCE):
        return PrePostingHookResult(rejection=Rejection(
            message="Deposit would exceed the maximum balance", reason_code=RejectionReason.AGAINST_TNC))
    if balance + proposed < 0:
        return PrePostingHookResult(rejection=Rejection(
            message="Insufficient funds", reason_code=RejectionReason.INSUFFICIENT_FUNDS))
    return None


@requires(event_type=ACCRUE_INTEREST, parameters=True)
@requires(event_type=APPLY_INTEREST, parameters=True, calendar=["&{PUBLIC_HOLIDAYS}"])
@fetch_account_data(event_type=ACCRUE_INTEREST, balances=[EFFECTIVE_FETCHER_ID])
@fetch_account_data(event_type=APPLY_INTEREST, balances=[EFFECTIVE_FETCHER_ID])
def scheduled_event_hook(
    vault, hook_arguments: ScheduledEventHookArguments
) -> Optional[ScheduledEventHookResult]:
    effective_datetime = hook_arguments.effective_datetime
    balances = vault.get_balances_observation(fetcher_id=EFFECTIVE_FETCHER_ID).balances
    instructions = []
    if hook_arguments.event_type == ACCRUE_INTEREST:
        instructions = _accrue(vault, effective_datetime, balances)
    elif hook_arguments.event_type == APPLY_INTEREST and _is_application_date(vault, effective_datetime):
        instructions = _apply(vault, balances)
    if not instructions:
        return None
    return ScheduledEventHookResult(posting_instructions_directives=[
        PostingInstructionsDirective(posting_instructions=instructions, value_datetime=effective_datetime)
    ])
