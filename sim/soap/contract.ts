// The simulator's SOAP contract, declared once: the WSDL is generated from it. Field types are
// XSD simple types or `Name[]` (a repeated element of a complex type) or a complex type name.

export const NS = 'urn:counterpart:accounting-sim';

type Fields = Record<string, string>;

export const TYPES: Record<string, Fields> = {
  PriceType: { Id: 'string', Name: 'string', Currency: 'string', VatIncluded: 'boolean', IsBase: 'boolean' },
  Warehouse: { Id: 'string', Name: 'string', Kind: 'string', CommissionPct: 'string', DeliveryDays: 'int', Address: 'string' },
  Group: { Id: 'string', ParentId: 'string', Name: 'string' },
  Property: { Name: 'string', Value: 'string' },
  PropertyList: { Property: 'Property[]' },
  Product: {
    Id: 'string', GroupId: 'string', Article: 'string', Barcode: 'string', Name: 'string', Unit: 'string', VatRate: 'string',
    DeletionMark: 'boolean', Properties: 'PropertyList',
  },
  Price: { PriceTypeId: 'string', Value: 'string' },
  PriceList: { Price: 'Price[]' },
  StockItem: { WarehouseId: 'string', Quantity: 'string' },
  StockList: { Item: 'StockItem[]' },
  Offer: {
    Id: 'string', ProductId: 'string', Name: 'string', Article: 'string', DeletionMark: 'boolean',
    Characteristics: 'PropertyList', Prices: 'PriceList', Stock: 'StockList',
  },
  WarehouseStock: { OfferId: 'string', Quantity: 'string' },
  Manager: { Id: 'string', Name: 'string', Email: 'string', Phone: 'string' },
  Counterparty: {
    Id: 'string', Name: 'string', FullName: 'string', INN: 'string', KPP: 'string', Email: 'string', Phone: 'string',
    HeadId: 'string', ManagerId: 'string', PriceTypeId: 'string', Debt: 'string', CreditLimit: 'string', DeletionMark: 'boolean',
    LegalAddress: 'string', BankName: 'string', BIC: 'string', Account: 'string', CorrAccount: 'string',
  },
  ContractPrice: { OfferId: 'string', Value: 'string' },
  ContractPriceList: { Price: 'ContractPrice[]' },
  Contract: {
    Id: 'string', CounterpartyId: 'string', Name: 'string', Number: 'string', PriceTypeId: 'string', DiscountPct: 'string',
    Currency: 'string', ValidFrom: 'date', ValidTo: 'date', IsDefault: 'boolean', DeletionMark: 'boolean', Prices: 'ContractPriceList',
  },
  PriceTypeList: { PriceType: 'PriceType[]' },
  WarehouseList: { Warehouse: 'Warehouse[]' },
  GroupList: { Group: 'Group[]' },
  ProductList: { Product: 'Product[]' },
  OfferList: { Offer: 'Offer[]' },
  WarehouseStockList: { Item: 'WarehouseStock[]' },
  ManagerList: { Manager: 'Manager[]' },
  CounterpartyList: { Counterparty: 'Counterparty[]' },
  ContractList: { Contract: 'Contract[]' },
  OrderLine: { OfferId: 'string', WarehouseId: 'string', Quantity: 'string', Price: 'string', Amount: 'string' },
  OrderLineList: { Line: 'OrderLine[]' },
  Order: { StoreOrderId: 'string', StoreNumber: 'string', CounterpartyId: 'string', ContractId: 'string', Comment: 'string', Lines: 'OrderLineList' },
  OrderStatus: { OrderId: 'string', Number: 'string', StoreOrderId: 'string', StoreNumber: 'string', Status: 'string', Note: 'string', At: 'dateTime' },
  OrderStatusList: { Status: 'OrderStatus[]' },
  // Documents are published the way 1C names them: Russian elements, dates DD.MM.YYYY, sums with a comma.
  СтрокаДокумента: {
    НомерСтроки: 'int', Наименование: 'string', Артикул: 'string', ЕдиницаИзмерения: 'string', Количество: 'string', Цена: 'string',
    Сумма: 'string', СтавкаНДС: 'string', СуммаНДС: 'string',
  },
  СтрокиДокумента: { Строка: 'СтрокаДокумента[]' },
  Документ: {
    Ид: 'string', Контрагент: 'string', Вид: 'string', Номер: 'string', Дата: 'string', Сумма: 'string', СуммаНДС: 'string', Валюта: 'string',
    Статус: 'string', ПериодС: 'string', ПериодПо: 'string', Строки: 'СтрокиДокумента', ИмяФайла: 'string', Файл: 'base64Binary',
    ПометкаУдаления: 'boolean',
  },
  СписокДокументов: { Документ: 'Документ[]' },
  Взаиморасчет: {
    Контрагент: 'string', Задолженность: 'string', Просрочено: 'string', Лимит: 'string', ПриПревышенииЛимита: 'string', Валюта: 'string',
    НаДату: 'dateTime',
  },
  СписокВзаиморасчетов: { Взаиморасчет: 'Взаиморасчет[]' },
  Reservation: { StoreReservationId: 'string', CounterpartyId: 'string', OfferId: 'string', WarehouseId: 'string', Quantity: 'string', ExpiresAt: 'dateTime' },
};

const paged = { Page: 'int', PageSize: 'int' };
const list = (name: string, type: string) => ({ [name]: type, Total: 'int' });

export const OPERATIONS: Record<string, { input: Fields; output: Fields }> = {
  GetServerInfo: { input: {}, output: { ServerTime: 'dateTime', FeedCursor: 'string', Version: 'string' } },
  GetPriceTypes: { input: {}, output: { PriceTypes: 'PriceTypeList' } },
  GetWarehouses: { input: {}, output: { Warehouses: 'WarehouseList' } },
  GetProductGroups: { input: {}, output: { Groups: 'GroupList' } },
  GetProducts: { input: paged, output: list('Products', 'ProductList') },
  GetOffers: { input: paged, output: list('Offers', 'OfferList') },
  GetStock: { input: { WarehouseId: 'string', ...paged }, output: list('Items', 'WarehouseStockList') },
  GetManagers: { input: {}, output: { Managers: 'ManagerList' } },
  GetCounterparties: { input: paged, output: list('Counterparties', 'CounterpartyList') },
  GetContracts: { input: paged, output: list('Contracts', 'ContractList') },
  GetDocuments: { input: { Страница: 'int', РазмерСтраницы: 'int' }, output: { Документы: 'СписокДокументов', Всего: 'int' } },
  GetSettlements: { input: { Страница: 'int', РазмерСтраницы: 'int' }, output: { Взаиморасчеты: 'СписокВзаиморасчетов', Всего: 'int' } },
  GetChanges: {
    input: { SinceCursor: 'string', Limit: 'int' },
    output: {
      NextCursor: 'string', HasMore: 'boolean', ServerTime: 'dateTime', PriceTypes: 'PriceTypeList', Warehouses: 'WarehouseList',
      Groups: 'GroupList', Products: 'ProductList', Offers: 'OfferList', Managers: 'ManagerList',
      Counterparties: 'CounterpartyList', Contracts: 'ContractList', Документы: 'СписокДокументов',
      Взаиморасчеты: 'СписокВзаиморасчетов',
    },
  },
  CreateOrder: { input: { Order: 'Order' }, output: { OrderId: 'string', Number: 'string', Created: 'boolean' } },
  GetOrderStatuses: { input: { SinceCursor: 'string', Limit: 'int' }, output: { NextCursor: 'string', Statuses: 'OrderStatusList' } },
  // Reservations: each answer is the same when the request is repeated (by StoreReservationId,
  // and by OperationId for an extension), so the store may retry after a lost answer.
  PlaceReservation: { input: { Reservation: 'Reservation' }, output: { ReservationId: 'string', ExpiresAt: 'dateTime', Created: 'boolean' } },
  ExtendReservation: {
    input: { StoreReservationId: 'string', OperationId: 'string', ExpiresAt: 'dateTime' },
    output: { ReservationId: 'string', ExpiresAt: 'dateTime', Applied: 'boolean' },
  },
  ReleaseReservation: { input: { StoreReservationId: 'string', Reason: 'string' }, output: { ReservationId: 'string', Released: 'boolean' } },
};

function typeRef(t: string): string {
  const base = t.replace(/\[\]$/, '');
  return TYPES[base] ? `tns:${base}` : `xs:${base}`;
}

function sequence(fields: Fields, indent: string): string {
  return Object.entries(fields)
    .map(([name, t]) => `${indent}<xs:element name="${name}" type="${typeRef(t)}" minOccurs="0"${t.endsWith('[]') ? ' maxOccurs="unbounded"' : ''}/>`)
    .join('\n');
}

/** The WSDL (document/literal, SOAP 1.1) for a service at `location`. */
export function wsdl(location: string): string {
  const types = Object.entries(TYPES)
    .map(([name, f]) => `      <xs:complexType name="${name}">\n        <xs:sequence>\n${sequence(f, '          ')}\n        </xs:sequence>\n      </xs:complexType>`)
    .join('\n');
  const elements = Object.entries(OPERATIONS)
    .flatMap(([op, { input, output }]) => [
      [op, input],
      [`${op}Response`, output],
    ] as const)
    .map(([name, f]) => `      <xs:element name="${name}">\n        <xs:complexType>\n          <xs:sequence>\n${sequence(f, '            ')}\n          </xs:sequence>\n        </xs:complexType>\n      </xs:element>`)
    .join('\n');
  const ops = Object.keys(OPERATIONS);
  return `<?xml version="1.0" encoding="UTF-8"?>
<definitions name="AccountingSim" targetNamespace="${NS}" xmlns="http://schemas.xmlsoap.org/wsdl/"
  xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="${NS}" xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <types>
    <xs:schema targetNamespace="${NS}" elementFormDefault="qualified">
${types}
${elements}
    </xs:schema>
  </types>
${ops.map((op) => `  <message name="${op}Request"><part name="parameters" element="tns:${op}"/></message>\n  <message name="${op}Response"><part name="parameters" element="tns:${op}Response"/></message>`).join('\n')}
  <portType name="AccountingPortType">
${ops.map((op) => `    <operation name="${op}"><input message="tns:${op}Request"/><output message="tns:${op}Response"/></operation>`).join('\n')}
  </portType>
  <binding name="AccountingBinding" type="tns:AccountingPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
${ops.map((op) => `    <operation name="${op}"><soap:operation soapAction="${NS}#${op}"/><input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>`).join('\n')}
  </binding>
  <service name="AccountingService">
    <port name="AccountingPort" binding="tns:AccountingBinding"><soap:address location="${location}"/></port>
  </service>
</definitions>
`;
}
