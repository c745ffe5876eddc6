# Wallet (Contracts API 4).
# A prepaid spending wallet: the customer tops it up from a nominated account, spends up to a
# daily limit, and any balance above the wallet limit is swept back to the nominated account.
# Top-ups pay a small fee to the bank; spending earns cashback paid by the bank.

from contracts_api import (
    DEFAULT_ADDRESS, DEFAULT_ASSET, AccountIdShape, ActivationHookArguments, ActivationHookResult,
    BalanceDefaultDict, BalancesObservationFetcher, CustomInstruction, DefinedDateTime,
    DenominationShape, NumberShape, Parameter, ParameterLevel, ParameterUpdatePermission, Phase,
    Posting, PostingInstructionsDirective, PostPostingHookArguments, PostPostingHookResult,
    PrePostingHookArguments, PrePostingHookResult, Rejection, RejectionReason, ScheduledEvent,
    ScheduledEventHookArguments, ScheduledEventHookResult, ScheduleExpression,
    SmartContractEventType, StringShape, Tside, fetch_account_data, requires,
)
from decimal import Decimal, ROUND_HALF_UP
from json import loads
from typing import Optional

api = "4.0.0"
version = "1.2.0"
display_name = "Wallet"
summary = "A prepaid wallet with a daily spending limit and automatic sweeps"
explanation = (
    "Spending is limited per day; the balance above the wallet limit is swept back to the "
    "customer's nominated account. Top-ups are charged a fee and spending earns cashback."
)
tside = Tside.LIABILITY
supported_denominations = ["GBP", "EUR", "USD"]

# Addresses
TODAYS_SPENDING = "TODAYS_SPENDING"
DUPLICATION = "DUPLICATION"

# Events
ZERO_OUT_DAILY_SPEND = "ZERO_OUT_DAILY_SPEND"

# Fetchers
LIVE_BALANCES_BOF_ID = "live_balances_bof"
data_fetchers = [
    BalancesObservationFetcher(fetcher_id=LIVE_BALANCES_BOF_ID, at=DefinedDateTime.LIVE)
]

# Parameters
PARAM_DENOMINATION = "denomination"
PARAM_ADDITIONAL_DENOMINATIONS = "additional_denominations"
PARAM_CUSTOMER_WALLET_LIMIT = "customer_wallet_limit"
PARAM_DAILY_SPENDING_LIMIT = "daily_spending_limit"
PARAM_NOMINATED_ACCOUNT = "nominated_account"
PARAM_TOP_UP_FEE_RATE = "top_up_fee_rate"
PARAM_TOP_UP_FEE_INCOME_ACCOUNT = "top_up_fee_income_account"
PARAM_CASHBACK_RATE = "cashback_rate"
PARAM_CASHBACK_EXPENSE_ACCOUNT = "cashback_expense_account"
PARAM_BLOCKING_FLAGS = "blocking_flags"

RATE_SHAPE = NumberShape(min_value=Decimal("0"), max_value=Decimal("1"), step=Decimal("0.0001"))
MONEY_SHAPE = NumberShape(min_value=Decimal("0"), step=Decimal("0.01"))

parameters = [
    Parameter(
        name=PARAM_DENOMINATION, level=ParameterLevel.TEMPLATE,
        description="Main denomination of the wallet.", display_name="Denomination",
        shape=DenominationShape(), default_value="GBP",
    ),
    Parameter(
        name=PARAM_ADDITIONAL_DENOMINATIONS, level=ParameterLevel.TEMPLATE,
        description="JSON list of further denominations the wallet may hold.",
        display_name="Additional denominations", shape=StringShape(),
        default_value='["EUR", "USD"]',
    ),
    Parameter(
        name=PARAM_CUSTOMER_WALLET_LIMIT, level=ParameterLevel.INSTANCE,
        description="Balance above which funds are swept to the nominated account.",
        display_name="Wallet limit", shape=MONEY_SHAPE,
        update_permission=ParameterUpdatePermission.USER_EDITABLE, default_value=Decimal("1000"),
    ),
    Parameter(
        name=PARAM_DAILY_SPENDING_LIMIT, level=ParameterLevel.INSTANCE,
        description="Maximum amount the customer may spend per day.",
        display_name="Daily spending limit", shape=MONEY_SHAPE,
        update_permission=ParameterUpdatePermission.USER_EDITABLE, default_value=Decimal("250"),
    ),
    Parameter(
        name=PARAM_NOMINATED_ACCOUNT, level=ParameterLevel.INSTANCE,
        description="Customer account that receives swept funds.",
        display_name="Nominated account", shape=AccountIdShape(),
        update_permission=ParameterUpdatePermission.USER_EDITABLE, default_value="0",
    ),
    Parameter(
        name=PARAM_TOP_UP_FEE_RATE, level=ParameterLevel.TEMPLATE,
        description="Fee charged on each top-up, as a fraction of the amount.",
        display_name="Top-up fee rate", shape=RATE_SHAPE, default_value=Decimal("0"),
    ),
    Parameter(
        name=PARAM_TOP_UP_FEE_INCOME_ACCOUNT, level=ParameterLevel.TEMPLATE,
        description="Internal account credited with top-up fees.",
        display_name="Top-up fee income account", shape=AccountIdShape(),
    ),
    Parameter(
        name=PARAM_CASHBACK_RATE, level=ParameterLevel.TEMPLATE,
        description="Cashback paid on spending, as a fraction of the amount.",
        display_name="Cashback rate", shape=RATE_SHAPE, default_value=Decimal("0"),
    ),
    Parameter(
        name=PARAM_CASHBACK_EXPENSE_ACCOUNT, level=ParameterLevel.TEMPLATE,
        description="Internal account debited with cashback.",
        display_name="Cashback expense account", shape=AccountIdShape(),
    ),
    Parameter(
        name=PARAM_BLOCKING_FLAGS, level=ParameterLevel.TEMPLATE,
        description="JSON list of flag definition ids that block customer spending.",
        display_name="Blocking flags", shape=StringShape(), default_value="[]",
    ),
]

event_types = [
    SmartContractEventType(name=ZERO_OUT_DAILY_SPEND, scheduler_tag_ids=["WALLET_ZERO_OUT_DAILY_SPEND_AST"])
]


def _param(vault, name: str, is_json: bool = False):
    value = vault.get_parameter_timeseries(name=name).latest()
    return loads(value) if is_json else value


def _balance(balances: BalanceDefaultDict, denomination: str, address: str = DEFAULT_ADDRESS):
    return balances[(address, DEFAULT_ASSET, denomination, Phase.COMMITTED)].net


def _transfer(amount: Decimal, denomination: str, debit: tuple, credit: tuple):
    """debit and credit are (account_id, address) pairs."""
    return CustomInstruction(
        postings=[
            Posting(credit=is_credit, amount=amount, denomination=denomination,
                    account_id=account, account_address=address, asset=DEFAULT_ASSET,
                    phase=Phase.COMMITTED)
            for is_credit, (account, address) in ((False, debit), (True, credit))
        ],
        override_all_restrictions=True,
    )


def _directive(instructions, effective_datetime):
    return [PostingInstructionsDirective(posting_instructions=instructions,
                                         value_datetime=effective_datetime)]


@requires(parameters=True)
def activation_hook(vault, hook_arguments: ActivationHookArguments) -> Optional[ActivationHookResult]:
    start = hook_arguments.effective_datetime.replace(hour=0, minute=0, second=0)
    return ActivationHookResult(
        scheduled_events_return_value={
            ZERO_OUT_DAILY_SPEND: ScheduledEvent(
                start_datetime=start,
                expression=ScheduleExpression(hour=23, minute=59, second=59),
            )
        }
    )


@requires(parameters=True, flags=True)
@fetch_account_data(balances=[LIVE_BALANCES_BOF_ID])
def pre_posting_hook(vault, hook_arguments: PrePostingHookArguments) -> Optional[PrePostingHookResult]:
    denomination = _param(vault, PARAM_DENOMINATION)
    allowed = [denomination, *_param(vault, PARAM_ADDITIONAL_DENOMINATIONS, is_json=True)]
    proposed = Decimal("0")
    for instruction in hook_arguments.posting_instructions:
        for coordinate, balance in instruction.balances().items():
            if coordinate.denomination not in allowed:
                return PrePostingHookResult(rejection=Rejection(
                    message=f"Denomination {coordinate.denomination} not supported",
                    reason_code=RejectionReason.WRONG_DENOMINATION))
            if coordinate.denomination == denomination and coordinate.account_address == DEFAULT_ADDRESS:
                proposed += balance.net
    if proposed >= 0:
        return None

    for flag_id in _param(vault, PARAM_BLOCKING_FLAGS, is_json=True):
        if vault.get_flag_timeseries(flag=flag_id).at(at_datetime=hook_arguments.effective_datetime):
            return PrePostingHookResult(rejection=Rejection(
                message=f"Spending is blocked on this wallet ({flag_id})",
                reason_code=RejectionReason.AGAINST_TNC))

    balances = vault.get_balances_observation(fetcher_id=LIVE_BALANCES_BOF_ID).balances
    if _balance(balances, denomination) + proposed < 0:
        return PrePostingHookResult(rejection=Rejection(
            message="Insufficient funds", reason_code=RejectionReason.INSUFFICIENT_FUNDS))
    limit = _param(vault, PARAM_DAILY_SPENDING_LIMIT)
    if _balance(balances, denomination, TODAYS_SPENDING) + proposed < -limit:
        return PrePostingHookResult(rejection=Rejection(
            message=f"Daily spending limit of {limit} {denomination} exceeded",
            reason_code=RejectionReason.AGAINST_TNC))
    return None


@requires(parameters=True)
@fetch_account_data(balances=[LIVE_BALANCES_BOF_ID])
def post_posting_hook(vault, hook_arguments: PostPostingHookArguments) -> Optional[PostPostingHookResult]:
    denomination = _param(vault, PARAM_DENOMINATION)
    own = vault.account_id
    movement = sum(
        (_balance(pi.balances(), denomination) for pi in hook_arguments.posting_instructions),
        Decimal("0"),
    )
    instructions = []
    if movement < 0:
        spend = -movement
        # memo postings: today's spending is tracked against the DUPLICATION address
        instructions.append(_transfer(spend, denomination, (own, TODAYS_SPENDING), (own, DUPLICATION)))
        cashback = (spend * _param(vault, PARAM_CASHBACK_RATE)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)
        if cashback > 0:
            expense_account = _param(vault, PARAM_CASHBACK_EXPENSE_ACCOUNT)
            instructions.append(_transfer(cashback, denomination, (expense_account, DEFAULT_ADDRESS),
                                          (own, DEFAULT_ADDRESS)))
    elif movement > 0:
        fee = (movement * _param(vault, PARAM_TOP_UP_FEE_RATE)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)
        if fee > 0:
            income_account = _param(vault, PARAM_TOP_UP_FEE_INCOME_ACCOUNT)
            instructions.append(_transfer(fee, denomination, (own, DEFAULT_ADDRESS),
                                          (income_account, DEFAULT_ADDRESS)))
        balances = vault.get_balances_observation(fetcher_id=LIVE_BALANCES_BOF_ID).balances
        excess = _balance(balances, denomination) - fee - _param(vault, PARAM_CUSTOMER_WALLET_LIMIT)
        if excess > 0:
            nominated = _param(vault, PARAM_NOMINATED_ACCOUNT)
            instructions.append(_transfer(excess, denomination, (own, DEFAULT_ADDRESS),
                                          (nominated, DEFAULT_ADDRESS)))
    if not instructions:
        return None
    return PostPostingHookResult(
        posting_instructions_directives=_directive(instructions, hook_arguments.effective_datetime)
    )


@requires(event_type=ZERO_OUT_DAILY_SPEND, parameters=True)
@fetch_account_data(event_type=ZERO_OUT_DAILY_SPEND, balances=[LIVE_BALANCES_BOF_ID])
def scheduled_event_hook(
    vault, hook_arguments: ScheduledEventHookArguments
) -> Optional[ScheduledEventHookResult]:
    if hook_arguments.event_type != ZERO_OUT_DAILY_SPEND:
        return None
    denomination = _param(vault, PARAM_DENOMINATION)
    balances = vault.get_balances_observation(fetcher_id=LIVE_BALANCES_BOF_ID).balances
    spent_today = _balance(balances, denomination, TODAYS_SPENDING)
    if spent_today == 0:
        return None
    own = vault.account_id
    return ScheduledEventHookResult(
        posting_instructions_directives=_directive(
            [_transfer(-spent_today, denomination, (own, DUPLICATION), (own, TODAYS_SPENDING))],
            hook_arguments.effective_datetime,
        )
    )
