/** `traced-clients/amqplib`: RabbitMQ through amqplib (promise and callback APIs). */
export * from './clients/amqplib/index.js';
