// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title Coffer data-set registry
/// @notice Records which pieces each provider holds for each payer. A data set is identified by
///         (payer, provider, clientDataSetId); the provider submits every change, carrying the
///         payer's EIP-712 signature (domain "CofferDataSetRegistry" / "1", structs as in
///         shared/chain/eip712.ts). AddPieces nonces are random and unordered, so a payer may
///         sign several batches and the provider may commit them in any order, each only once.
contract DataSetRegistry is EIP712 {
    struct DataSet {
        address payer;
        address provider;
        uint256 clientDataSetId;
        uint256 pieceCount;
    }

    bytes32 public constant CREATE_DATA_SET_TYPEHASH =
        keccak256("CreateDataSet(address payer,address provider,uint256 clientDataSetId,uint64 deadline)");
    bytes32 public constant ADD_PIECES_TYPEHASH = keccak256(
        "AddPieces(address payer,address provider,uint256 clientDataSetId,bytes32[] pieceDigests,bytes32 nonce,uint64 deadline)"
    );

    /// @dev Data-set ids start at 1 (0 means "none"); piece ids within a data set start at 1 too.
    uint256 private _nextDataSetId = 1;
    mapping(uint256 => DataSet) private _dataSets;
    mapping(uint256 => mapping(uint256 => bytes32)) private _pieces;
    mapping(address => mapping(address => mapping(uint256 => uint256))) private _dataSetIdOf;
    mapping(address => mapping(bytes32 => bool)) private _nonceUsed;

    event DataSetCreated(
        uint256 indexed dataSetId, address indexed payer, address indexed provider, uint256 clientDataSetId
    );
    event PiecesAdded(uint256 indexed dataSetId, uint256 firstPieceId, bytes32[] pieceDigests);

    error SignatureExpired(uint64 deadline);
    error BadSignature();
    error DataSetExists(uint256 dataSetId);
    error UnknownDataSet(uint256 dataSetId);
    error NotDataSetProvider(uint256 dataSetId, address caller);
    error NonceAlreadyUsed(address payer, bytes32 nonce);
    error NoPieces();
    error UnknownPiece(uint256 dataSetId, uint256 pieceId);

    constructor() EIP712("CofferDataSetRegistry", "1") {}

    function createDataSet(address payer, uint256 clientDataSetId, uint64 deadline, bytes calldata createSig)
        external
        returns (uint256 dataSetId)
    {
        return _createDataSet(payer, clientDataSetId, deadline, createSig);
    }

    function addPieces(
        uint256 dataSetId,
        bytes32[] calldata pieceDigests,
        bytes32 nonce,
        uint64 deadline,
        bytes calldata addSig
    ) external returns (uint256 firstPieceId) {
        return _addPieces(dataSetId, pieceDigests, nonce, deadline, addSig);
    }

    /// @notice A new data set and its first pieces in one transaction; each part carries its own
    ///         payer signature and deadline.
    function createDataSetAndAddPieces(
        address payer,
        uint256 clientDataSetId,
        uint64 createDeadline,
        bytes calldata createSig,
        bytes32[] calldata pieceDigests,
        bytes32 nonce,
        uint64 addDeadline,
        bytes calldata addSig
    ) external returns (uint256 dataSetId, uint256 firstPieceId) {
        dataSetId = _createDataSet(payer, clientDataSetId, createDeadline, createSig);
        firstPieceId = _addPieces(dataSetId, pieceDigests, nonce, addDeadline, addSig);
    }

    function dataSetIdOf(address payer, address provider, uint256 clientDataSetId) external view returns (uint256) {
        return _dataSetIdOf[payer][provider][clientDataSetId];
    }

    function getDataSet(uint256 dataSetId) external view returns (DataSet memory) {
        return _requireDataSet(dataSetId);
    }

    function pieceCount(uint256 dataSetId) external view returns (uint256) {
        return _requireDataSet(dataSetId).pieceCount;
    }

    function getPiece(uint256 dataSetId, uint256 pieceId) external view returns (bytes32) {
        if (pieceId == 0 || pieceId > _requireDataSet(dataSetId).pieceCount) revert UnknownPiece(dataSetId, pieceId);
        return _pieces[dataSetId][pieceId];
    }

    function nonceUsed(address payer, bytes32 nonce) external view returns (bool) {
        return _nonceUsed[payer][nonce];
    }

    function _createDataSet(address payer, uint256 clientDataSetId, uint64 deadline, bytes calldata createSig)
        private
        returns (uint256 dataSetId)
    {
        _requireNotExpired(deadline);
        uint256 existing = _dataSetIdOf[payer][msg.sender][clientDataSetId];
        if (existing != 0) revert DataSetExists(existing);
        bytes32 structHash = keccak256(abi.encode(CREATE_DATA_SET_TYPEHASH, payer, msg.sender, clientDataSetId, deadline));
        _requireSignedBy(payer, structHash, createSig);
        dataSetId = _nextDataSetId++;
        _dataSets[dataSetId] =
            DataSet({payer: payer, provider: msg.sender, clientDataSetId: clientDataSetId, pieceCount: 0});
        _dataSetIdOf[payer][msg.sender][clientDataSetId] = dataSetId;
        emit DataSetCreated(dataSetId, payer, msg.sender, clientDataSetId);
    }

    function _addPieces(
        uint256 dataSetId,
        bytes32[] calldata pieceDigests,
        bytes32 nonce,
        uint64 deadline,
        bytes calldata addSig
    ) private returns (uint256 firstPieceId) {
        DataSet storage dataSet = _requireDataSet(dataSetId);
        if (dataSet.provider != msg.sender) revert NotDataSetProvider(dataSetId, msg.sender);
        if (pieceDigests.length == 0) revert NoPieces();
        _requireNotExpired(deadline);
        address payer = dataSet.payer;
        if (_nonceUsed[payer][nonce]) revert NonceAlreadyUsed(payer, nonce);
        bytes32 structHash = keccak256(
            abi.encode(
                ADD_PIECES_TYPEHASH,
                payer,
                msg.sender,
                dataSet.clientDataSetId,
                keccak256(abi.encodePacked(pieceDigests)),
                nonce,
                deadline
            )
        );
        _requireSignedBy(payer, structHash, addSig);
        _nonceUsed[payer][nonce] = true;
        uint256 count = dataSet.pieceCount;
        firstPieceId = count + 1;
        for (uint256 i = 0; i < pieceDigests.length; ++i) {
            _pieces[dataSetId][firstPieceId + i] = pieceDigests[i];
        }
        dataSet.pieceCount = count + pieceDigests.length;
        emit PiecesAdded(dataSetId, firstPieceId, pieceDigests);
    }

    function _requireDataSet(uint256 dataSetId) private view returns (DataSet storage dataSet) {
        dataSet = _dataSets[dataSetId];
        if (dataSet.payer == address(0)) revert UnknownDataSet(dataSetId);
    }

    function _requireNotExpired(uint64 deadline) private view {
        if (block.timestamp > deadline) revert SignatureExpired(deadline);
    }

    function _requireSignedBy(address signer, bytes32 structHash, bytes calldata signature) private view {
        (address recovered, ECDSA.RecoverError failure,) = ECDSA.tryRecover(_hashTypedDataV4(structHash), signature);
        if (failure != ECDSA.RecoverError.NoError || recovered != signer) revert BadSignature();
    }
}
