# Current account (Contracts API 4).
# Personal current account with an arranged overdraft. Overdraft interest is charged at the
# overdraft base rate (global parameter) plus a product margin, capped by the overdraft rate cap
# (global parameter); it accrues daily and is applied monthly with the maintenance fee.

from contracts_api import (
    DEFAULT_ADDRESS, DEFAULT_ASSET, ActivationHookArguments, ActivationHookResult,
    BalanceDefaultDict, BalancesObservationFetcher, CustomInstruction, DefinedDateTime,
    DenominationShape, NumberShape, Parameter, ParameterLevel, ParameterUpdatePermission, Phase,
    Posting, PostingInstructionsDirective, PrePostingHookArguments, PrePostingHookResult,
    Rejection, RejectionReason, ScheduledEvent, ScheduledEventHookArguments,
    ScheduledEventHookResult, ScheduleExpression, SmartContractEventType, StringShape, Tside,
    fetch_account_data, requires,
)
from dateutil.relativedelta import relativedelta
from decimal import Decimal, ROUND_HALF_UP
from json import loads
from typing import Optional

api = "4.0.0"
version = "3.0.0"
display_name = "Current Account"
summary = "Personal current account with an arranged overdraft"
explanation = "Overdraft interest tracks the overdraft base rate plus a margin, up to the rate cap."
tside = Tside.LIABILITY
supported_denominations = ["GBP"]
global_parameters = ["overdraft_base_rate", "overdraft_rate_cap"]

# Addresses
ACCRUED_OVERDRAFT_INTEREST = "ACCRUED_OVERDRAFT_INTEREST"
INTERNAL_CONTRA = "INTERNAL_CONTRA"

# Events
ACCRUE_OVERDRAFT_INTEREST = "ACCRUE_OVERDRAFT_INTEREST"
APPLY_OVERDRAFT_INTEREST = "APPLY_OVERDRAFT_INTEREST"
APPLY_MAINTENANCE_FEE = "APPLY_MAINTENANCE_FEE"

EFFECTIVE_FETCHER_ID = "effective_balances"
LIVE_BALANCES_BOF_ID = "live_balances_bof"
data_fetchers = [
    BalancesObservationFetcher(fetcher_id=LIVE_BALANCES_BOF_ID, at=DefinedDateTime.LIVE),
    BalancesObservationFetcher(fetcher_id=EFFECTIVE_FETCHER_ID, at=DefinedDateTime.EFFECTIVE_DATETIME),
]

PARAM_DENOMINATION = "denomination"
PARAM_ARRANGED_OVERDRAFT_LIMIT = "arranged_overdraft_limit"
PARAM_OVERDRAFT_RATE_MARGIN = "overdraft_rate_margin"
PARAM_DAYS_IN_YEAR = "days_in_year"
PARAM_MONTHLY_MAINTENANCE_FEE = "monthly_maintenance_fee"
PARAM_FEE_APPLICATION_DAY = "fee_application_day"
PARAM_OVERDRAFT_SUSPENSION_FLAGS = "overdraft_suspension_flags"
PARAM_INTERNAL_ACCOUNTS = "internal_accounts"

MONEY = NumberShape(min_value=Decimal("0"), step=Decimal("0.01"))

parameters = [
    Parameter(
        name=PARAM_DENOMINATION, level=ParameterLevel.TEMPLATE, display_name="Denomination",
        description="Denomination of the account.", shape=DenominationShape(), default_value="GBP",
    ),
    Parameter(
        name=PARAM_ARRANGED_OVERDRAFT_LIMIT, level=ParameterLevel.INSTANCE,
        display_name="Arranged overdraft limit", description="How far the balance may go below zero.",
        shape=MONEY, update_permission=ParameterUpdatePermission.OPS_EDITABLE, default_value=Decimal("0"),
    ),
    Parameter(
        name=PARAM_OVERDRAFT_RATE_MARGIN, level=ParameterLevel.TEMPLATE,
        display_name="Overdraft rate margin", description="Added to the overdraft base rate.",
        shape=NumberShape(min_value=Decimal("0"), max_value=Decimal("1"), step=Decimal("0.0001")),
        default_value=Decimal("0.15"),
    ),
    Parameter(
        name=PARAM_DAYS_IN_YEAR, level=ParameterLevel.TEMPLATE, display_name="Days in year",
        description="Day count basis for the daily overdraft rate.",
        shape=NumberShape(min_value=Decimal("360"), max_value=Decimal("366"), step=Decimal("1")),
        default_value=Decimal("365"),
    ),
    Parameter(
        name=PARAM_MONTHLY_MAINTENANCE_FEE, level=ParameterLevel.TEMPLATE,
        display_name="Monthly maintenance fee", description="Charged monthly on the fee day.",
        shape=MONEY, default_value=Decimal("0"),
    ),
    Parameter(
        name=PARAM_FEE_APPLICATION_DAY, level=ParameterLevel.TEMPLATE,
        display_name="Fee application day", description="Day of the month fees and interest apply.",
        shape=NumberShape(min_value=Decimal("1"), max_value=Decimal("28"), step=Decimal("1")),
        default_value=Decimal("1"),
    ),
    Parameter(
        name=PARAM_OVERDRAFT_SUSPENSION_FLAGS, level=ParameterLevel.TEMPLATE,
        display_name="Overdraft suspension flags",
        description="JSON list of flag ids that withdraw the overdraft.", shape=StringShape(),
        default_value="[]",
    ),
    Parameter(
        name=PARAM_INTERNAL_ACCOUNTS, level=ParameterLevel.TEMPLATE, display_name="Internal accounts",
        description="JSON map of overdraft interest and fee internal account ids.", shape=StringShape(),
    ),
]

event_types = [
    SmartContractEventType(name=ACCRUE_OVERDRAFT_INTEREST, scheduler_tag_ids=["CA_ACCRUE_OVERDRAFT_INTEREST_AST"]),
    SmartContractEventType(name=APPLY_OVERDRAFT_INTEREST, scheduler_tag_ids=["CA_APPLY_OVERDRAFT_INTEREST_AST"]),
    SmartContractEventType(name=APPLY_MAINTENANCE_FEE, scheduler_tag_ids=["CA_APPLY_MAINTENANCE_FEE_AST"]),
]


def _param(vault, name: str, is_json: bool = False):
    value = vault.get_parameter_timeseries(name=name).latest()
    return loads(value) if is_json else value


def _balance(balances: BalanceDefaultDict, denomination: str, address: str = DEFAULT_ADDRESS) -> Decimal:
    return balances[(address, DEFAULT_ASSET, denomination, Phase.COMMITTED)].net


def _overdraft_rate(vault) -> Decimal:
    base = vault.get_parameter_timeseries(name="overdraft_base_rate").latest()
    cap = vault.get_parameter_timeseries(name="overdraft_rate_cap").latest()
    return min(base + _param(vault, PARAM_OVERDRAFT_RATE_MARGIN), cap)


def _instruction(amount, denomination, debit: tuple, credit: tuple, description: str):
    return CustomInstruction(
        postings=[
            Posting(credit=is_credit, amount=amount, denomination=denomination, account_id=account,
                    account_address=address, asset=DEFAULT_ASSET, phase=Phase.COMMITTED)
            for is_credit, (account, address) in ((False, debit), (True, credit))
        ],
        instruction_details={"description": description},
    )


@requires(parameters=True)
def activation_hook(vault, hook_arguments: ActivationHookArguments) -> Optional[ActivationHookResult]:
    start = hook_arguments.effective_datetime + relativedelta(days=1, hour=0, minute=0, second=0)
    day = int(_param(vault, PARAM_FEE_APPLICATION_DAY))
    monthly = ScheduleExpression(day=day, hour=0, minute=5, second=0)
    return ActivationHookResult(scheduled_events_return_value={
        ACCRUE_OVERDRAFT_INTEREST: ScheduledEvent(
            start_datetime=start, expression=ScheduleExpression(hour=0, minute=0, second=0)),
        APPLY_OVERDRAFT_INTEREST: ScheduledEvent(start_datetime=start, expression=monthly),
        APPLY_MAINTENANCE_FEE: ScheduledEvent(start_datetime=start, expression=monthly),
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
    if proposed >= 0:
        return None
    overdraft = _param(vault, PARAM_ARRANGED_OVERDRAFT_LIMIT)
    for flag_id in _param(vault, PARAM_OVERDRAFT_SUSPENSION_FLAGS, is_json=True):
        if vault.get_flag_timeseries(flag=flag_id).at(at_datetime=hook_arguments.effective_datetime):
            overdraft = Decimal("0")
    balances = vault.get_balances_observation(fetcher_id=LIVE_BALANCES_BOF_ID).balances
    if _balance(balances, denomination) + proposed < -overdraft:
        return PrePostingHookResult(rejection=Rejection(
            message="Posting exceeds the available balance and overdraft",
            reason_code=RejectionReason.INSUFFICIENT_FUNDS))
    return None


@requires(event_type=ACCRUE_OVERDRAFT_INTEREST, parameters=True)
@requires(event_type=APPLY_OVERDRAFT_INTEREST, parameters=True)
@requires(event_type=APPLY_MAINTENANCE_FEE, parameters=True)
@fetch_account_data(event_type=ACCRUE_OVERDRAFT_INTEREST, balances=[EFFECTIVE_FETCHER_ID])
@fetch_account_data(event_type=APPLY_OVERDRAFT_INTEREST, balances=[EFFECTIVE_FETCHER_ID])
def scheduled_event_hook(
    vault, hook_arguments: ScheduledEventHookArguments
) -> Optional[ScheduledEventHookResult]:
    event_type = hook_arguments.event_type
    denomination = _param(vault, PARAM_DENOMINATION)
    accounts = _param(vault, PARAM_INTERNAL_ACCOUNTS, is_json=True)
    own = vault.account_id
    instructions = []
    if event_type == ACCRUE_OVERDRAFT_INTEREST:
        balances = vault.get_balances_observation(fetcher_id=EFFECTIVE_FETCHER_ID).balances
        overdrawn = -_balance(balances, denomination)
        if overdrawn > 0:
            daily_rate = _overdraft_rate(vault) / _param(vault, PARAM_DAYS_IN_YEAR)
            amount = (overdrawn * daily_rate).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP)
            instructions.append(_instruction(
                amount, denomination, (own, INTERNAL_CONTRA), (own, ACCRUED_OVERDRAFT_INTEREST),
                f"Overdraft interest accrued on {overdrawn}"))
            instructions.append(_instruction(
                amount, denomination, (accounts["overdraft_interest_receivable"], DEFAULT_ADDRESS),
                (accounts["overdraft_interest_received"], DEFAULT_ADDRESS), "Overdraft interest accrued"))
    elif event_type == APPLY_OVERDRAFT_INTEREST:
        balances = vault.get_balances_observation(fetcher_id=EFFECTIVE_FETCHER_ID).balances
        accrued = _balance(balances, denomination, ACCRUED_OVERDRAFT_INTEREST)
        charge = accrued.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if charge > 0:
            instructions.append(_instruction(
                charge, denomination, (own, DEFAULT_ADDRESS),
                (accounts["overdraft_interest_receivable"], DEFAULT_ADDRESS), "Overdraft interest charged"))
            instructions.append(_instruction(
                accrued, denomination, (own, ACCRUED_OVERDRAFT_INTEREST), (own, INTERNAL_CONTRA),
                "Clear accrued overdraft interest"))
    elif event_type == APPLY_MAINTENANCE_FEE:
        fee = _param(vault, PARAM_MONTHLY_MAINTENANCE_FEE)
        if fee > 0:
            instructions.append(_instruction(
                fee, denomination, (own, DEFAULT_ADDRESS),
                (accounts["maintenance_fee_income"], DEFAULT_ADDRESS), "Monthly maintenance fee"))
    if not instructions:
        return None
    return ScheduledEventHookResult(posting_instructions_directives=[PostingInstructionsDirective(
        posting_instructions=instructions, value_datetime=hook_arguments.effective_datetime)])
