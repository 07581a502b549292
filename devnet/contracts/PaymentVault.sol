// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title Coffer payment vault
/// @notice Clients deposit the token here and pay storage providers' signed quotes from that
///         deposit, many quotes in one transaction (one wave of an upload). Providers withdraw
///         what they have earned. EIP-712 domain "CofferPaymentVault" / "1"; the Quote struct
///         matches shared/chain/eip712.ts.
contract PaymentVault is EIP712 {
    using SafeERC20 for IERC20;

    /// @notice A provider's price for storing one piece, signed by the provider.
    struct Quote {
        address provider;
        address payer;
        bytes32 pieceDigest;
        uint64 size;
        uint256 price;
        uint64 expiry;
        bytes32 nonce;
    }

    bytes32 public constant QUOTE_TYPEHASH = keccak256(
        "Quote(address provider,address payer,bytes32 pieceDigest,uint64 size,uint256 price,uint64 expiry,bytes32 nonce)"
    );

    IERC20 public immutable token;

    mapping(address => uint256) private _balances;
    mapping(address => uint256) private _earnings;
    mapping(bytes32 => bool) private _paid;

    event Deposited(address indexed payer, uint256 amount);
    event Withdrawn(address indexed payer, uint256 amount);
    event EarningsWithdrawn(address indexed provider, uint256 amount);
    event QuotePaid(
        bytes32 indexed quoteDigest,
        address indexed payer,
        address indexed provider,
        bytes32 pieceDigest,
        uint64 size,
        uint256 price
    );

    error ZeroAmount();
    error InsufficientBalance(uint256 requested, uint256 available);
    error PermitFailed();
    error LengthMismatch();
    error EmptyBatch();
    error WrongPayer(uint256 index);
    error QuoteExpired(uint256 index);
    error BadQuoteSignature(uint256 index);
    error QuoteAlreadyPaid(uint256 index);
    error InsufficientDeposit(uint256 needed, uint256 available);

    constructor(IERC20 token_) EIP712("CofferPaymentVault", "1") {
        token = token_;
    }

    function deposit(uint256 amount) external {
        _deposit(amount);
    }

    /// @notice Approve by EIP-2612 permit and deposit in one transaction. If someone else already
    ///         submitted this permit (front-running it makes the call revert), the deposit still
    ///         goes through as long as the allowance is there.
    function depositWithPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) external {
        try IERC20Permit(address(token)).permit(msg.sender, address(this), amount, deadline, v, r, s) {}
        catch {
            if (token.allowance(msg.sender, address(this)) < amount) revert PermitFailed();
        }
        _deposit(amount);
    }

    function withdraw(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        uint256 available = _balances[msg.sender];
        if (amount > available) revert InsufficientBalance(amount, available);
        _balances[msg.sender] = available - amount;
        emit Withdrawn(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    function withdrawEarnings() external {
        uint256 amount = _earnings[msg.sender];
        if (amount == 0) revert ZeroAmount();
        _earnings[msg.sender] = 0;
        emit EarningsWithdrawn(msg.sender, amount);
        token.safeTransfer(msg.sender, amount);
    }

    /// @notice Pays every quote from the caller's deposit, or none: the first bad quote reverts the
    ///         whole call with an error naming its index. A quote is paid at most once, identified
    ///         by its EIP-712 digest.
    function payForQuotes(Quote[] calldata quotes, bytes[] calldata signatures) external {
        uint256 count = quotes.length;
        if (count != signatures.length) revert LengthMismatch();
        if (count == 0) revert EmptyBatch();
        uint256 total = 0;
        for (uint256 i = 0; i < count; ++i) {
            Quote calldata quote = quotes[i];
            if (quote.payer != msg.sender) revert WrongPayer(i);
            if (block.timestamp > quote.expiry) revert QuoteExpired(i);
            bytes32 digest = quoteDigest(quote);
            (address signer, ECDSA.RecoverError failure,) = ECDSA.tryRecover(digest, signatures[i]);
            if (failure != ECDSA.RecoverError.NoError || signer != quote.provider) revert BadQuoteSignature(i);
            // Marked before the next quote is read, so a duplicate within this call is caught too.
            if (_paid[digest]) revert QuoteAlreadyPaid(i);
            _paid[digest] = true;
            total += quote.price;
            _earnings[quote.provider] += quote.price;
            emit QuotePaid(digest, msg.sender, quote.provider, quote.pieceDigest, quote.size, quote.price);
        }
        uint256 available = _balances[msg.sender];
        if (total > available) revert InsufficientDeposit(total, available);
        _balances[msg.sender] = available - total;
    }

    function quoteDigest(Quote calldata quote) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    QUOTE_TYPEHASH,
                    quote.provider,
                    quote.payer,
                    quote.pieceDigest,
                    quote.size,
                    quote.price,
                    quote.expiry,
                    quote.nonce
                )
            )
        );
    }

    function isPaid(bytes32 digest) external view returns (bool) {
        return _paid[digest];
    }

    function balanceOf(address payer) external view returns (uint256) {
        return _balances[payer];
    }

    function earningsOf(address provider) external view returns (uint256) {
        return _earnings[provider];
    }

    function _deposit(uint256 amount) private {
        if (amount == 0) revert ZeroAmount();
        _balances[msg.sender] += amount;
        emit Deposited(msg.sender, amount);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }
}
